package connector

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// lockSQLite holds the stack's SQLite file locked for writing from another
// connection, as a backup tool or a stuck command would: writes hang.
func lockSQLite(t *testing.T, st *stack) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+st.d.Store.path+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			t.Error(err)
		}
		conn.Close()
		db.Close()
	})
}

// assertBusyPage checks a console answer is the busy page, in time.
func assertBusyPage(t *testing.T, what string, resp *http.Response, body string, took time.Duration) {
	t.Helper()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(body, tr("zh-Hans").t("busy.title")) || took > storeTimeout+time.Second {
		t.Errorf("%s with the store hung or down: %d Retry-After %q after %v, want the busy page within %v: %s",
			what, resp.StatusCode, resp.Header.Get("Retry-After"), took.Round(time.Millisecond), storeTimeout+time.Second, body)
	}
	if strings.Contains(body, tr("zh-Hans").t("signin.wrong")) {
		t.Errorf("%s says the token is wrong while the store cannot answer: %s", what, body)
	}
}

// A console query on a hung database gives up at the store deadline, and
// staff read that the server is busy, never that their token is wrong.
func TestStaffConsoleOnAHungStoreSaysBusyInTime(t *testing.T) {
	st := startStack(t, "ok", nil)
	tok := newStaff(t, st, "a")
	signedIn := &staffClient{st: st}
	signedIn.signIn(tok)
	_, code := publish(t, st, st.d.ProjectToken, sampleSnapshot("pass"))
	lockSQLite(t, st)

	start := time.Now()
	resp, body := (&staffClient{st: st}).do("POST", "/staff/signin", url.Values{"token": {tok}}, signedIn.origin())
	assertBusyPage(t, "sign-in", resp, body, time.Since(start))

	// A wizard publishing is told to try again, and keeps its code.
	var out struct {
		Error string `json:"error"`
	}
	start = time.Now()
	b := sampleSnapshot("fail")
	b["code"] = code
	if got := st.call("POST", "/v1/support/snapshot", st.d.ProjectToken, b, &out); got != http.StatusServiceUnavailable ||
		out.Error != ReasonStoreUnavailable || time.Since(start) > storeTimeout+time.Second {
		t.Errorf("publish with the store hung: %d %q after %v", got, out.Error, time.Since(start))
	}
}

// With the database gone, signed-in pages and sign-in say the server is
// busy, in the staff's language.
func TestStaffConsoleOnAClosedStoreSaysBusy(t *testing.T) {
	st := startStack(t, "ok", nil)
	tok := newStaff(t, st, "a")
	c := &staffClient{st: st}
	c.signIn(tok)
	if err := st.d.Store.Close(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, body := c.do("GET", "/staff", nil, map[string]string{"Accept-Language": "en-GB,en;q=0.8"})
	if !strings.Contains(body, tr("en").t("busy.title")) {
		t.Errorf("the overview in English with the store down: %s", body)
	}
	assertBusyPage(t, "the overview", resp, strings.ReplaceAll(body, tr("en").t("busy.title"), tr("zh-Hans").t("busy.title")), time.Since(start))
	start = time.Now()
	resp, body = (&staffClient{st: st}).do("POST", "/staff/signin", url.Values{"token": {tok}}, c.origin())
	assertBusyPage(t, "sign-in", resp, body, time.Since(start))
}
