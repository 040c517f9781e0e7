package connector

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestWrongProjectTokensAreThrottledPerClientAndLoggedInSummary(t *testing.T) {
	st := startStack(t, "ok", nil)
	st.d.Connector.refusals.every = 300 * time.Millisecond
	if code := st.call("GET", "/v1/health", st.d.ProjectToken, nil, nil); code != http.StatusOK {
		t.Fatalf("the good token: %d", code)
	}
	codes := map[int]int{}
	retry := ""
	for i := range 200 {
		req, _ := http.NewRequest("GET", st.d.URL+"/v1/health", nil)
		req.Header.Set("Authorization", "Bearer oaw_guess"+itoa(int64(i)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes[resp.StatusCode]++
		if resp.StatusCode == http.StatusTooManyRequests {
			retry = resp.Header.Get("Retry-After")
		}
	}
	if codes[http.StatusUnauthorized] != badTokenBurst || codes[http.StatusTooManyRequests] != 200-badTokenBurst || retry == "" {
		t.Fatalf("200 wrong tokens from one client were answered %v (Retry-After %q), want %d refused and the rest throttled",
			codes, retry, badTokenBurst)
	}
	// The project's own token, from the same address, still works.
	if code := st.call("GET", "/v1/health", st.d.ProjectToken, nil, nil); code != http.StatusOK {
		t.Fatalf("the good token after the guesses: %d", code)
	}
	logs := st.logs.String()
	if n := strings.Count(logs, `"status":401`) + strings.Count(logs, `"status":429`); n != 0 {
		t.Fatalf("%d wrong tokens were logged one line each", n)
	}
	// One line at the first, one for the rest when the period ends.
	time.Sleep(time.Second)
	lines, answers := 0, 0
	for _, l := range strings.Split(st.logs.String(), "\n") {
		var e struct {
			Msg     string
			Answers int
		}
		if json.Unmarshal([]byte(l), &e) == nil && e.Msg == "project tokens refused" {
			lines++
			answers += e.Answers
		}
	}
	if answers != 200 || lines > 3 {
		t.Fatalf("%d summary lines told of %d wrong tokens, want a few telling of 200", lines, answers)
	}
}
