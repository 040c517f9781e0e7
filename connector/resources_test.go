package connector

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

func TestLoadOpensABoundedNumberOfDatabaseFiles(t *testing.T) {
	st := startStack(t, "ok", nil)
	s := st.newSession(st.d.Scenario.OAAppID)
	var wg sync.WaitGroup
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 300}}
	for i := 0; i < 300; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", st.d.URL+"/v1/authorizations/"+s.ID+"?wait=1s&since=99", nil)
			req.Header.Set("Authorization", "Bearer "+st.d.ProjectToken)
			if resp, err := hc.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
		if i%10 == 0 {
			wg.Add(1)
			go func() { defer wg.Done(); st.newSession(st.d.Scenario.OAAppID) }()
		}
	}
	wg.Wait()
	// One writer and maxReaders readers, three files each at most.
	if _, db := openFiles(st.d.Store.path); db > 3*(1+maxReaders) {
		t.Fatalf("%d open files on the database", db)
	}
}

func TestCheckpointShrinksTheLog(t *testing.T) {
	st := openTestStore(t).(*SQLStore)
	ctx := context.Background()
	now := time.Now()
	for i := 0; i < 3000; i++ {
		id := "s_" + randomID(6)
		st.CreateSession(ctx, Session{ID: id, Code: id[2:], Project: "p", ExpectedAppID: "wx0123456789abcdef", Status: api.StatusPending,
			Version: 1, CreatedAt: now, ExpiresAt: now, UpdatedAt: now})
	}
	if kib(st.path+"-wal") < 100 {
		t.Fatalf("the log did not grow: %.0f KiB", kib(st.path+"-wal"))
	}
	if err := st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if w := kib(st.path + "-wal"); w != 0 {
		t.Fatalf("after a checkpoint the log is %.0f KiB", w)
	}
}

func TestNoCodeOrTicketIsStoredReadable(t *testing.T) {
	st := startStack(t, "ok", nil)
	s, code := st.authorizeCode(st.d.ProjectToken, st.d.Scenario.OAAppID)
	st.waitStatus(s.ID, api.StatusAuthorized)
	ticket := st.d.Sim.Ticket(wechatsim.DemoComponent().AppID)
	var file []byte
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(st.d.Store.path + suffix)
		file = append(file, b...)
	}
	for name, secret := range map[string]string{"auth code": code, "ticket": ticket, "pre-auth prefix": "preauthcode@@@"} {
		if secret != "" && bytes.Contains(file, []byte(secret)) {
			t.Errorf("the %s is readable in the database", name)
		}
	}
	if !strings.HasPrefix(code, "queryauthcode@@@") || ticket == "" {
		t.Fatal("the test did not see a code and a ticket")
	}
}
