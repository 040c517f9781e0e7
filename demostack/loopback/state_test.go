package loopback

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

// keptDemo is a demo whose store and simulator state live in dir, with the
// same store key and project token every start, as the wizard keeps them.
func keptDemo(dir, scenario string) Options {
	return Options{Scenario: scenario, Followers: 300, StorePath: filepath.Join(dir, "connector.db"),
		StatePath: filepath.Join(dir, "sim-state.json"), StoreKey: "kept-demo-store-key-0123456789abcdef",
		ProjectToken: "oaw_kept-demo-token-0123456789"}
}

func (st *stack) authorizedHere(appid string) bool {
	st.t.Helper()
	var v api.Account
	if code := st.call("GET", "/v1/accounts/"+appid, st.d.ProjectToken, nil, &v); code != 200 {
		st.t.Fatalf("account: %d", code)
	}
	return v.Authorized && !v.NeedsReauthorization
}

// A restarted demo with its kept state continues: the same token reaches
// the same authorization, the simulator hands out a new access token for
// the kept refresh token, and the state file names no token.
func TestDemoContinuesFromItsKeptState(t *testing.T) {
	opts := keptDemo(t.TempDir(), "ok")
	first := restartDemo(t, opts)
	oa := first.d.Scenario.OAAppID
	first.authorize(oa)
	if code, body := first.relay(opts.ProjectToken, oa, "cgi-bin/user/get", "GET", nil); code != 200 {
		t.Fatalf("relay before the restart: %d %s", code, body)
	}
	refresh := first.d.Sim.RefreshToken(wechatsim.DemoComponent().AppID, oa)
	if err := first.d.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(opts.StatePath)
	if err != nil || refresh == "" || bytes.Contains(data, []byte(refresh)) {
		t.Fatalf("the state file (%v) holds the refresh token or none was issued", err)
	}
	if fi, _ := os.Stat(opts.StatePath); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("the state file is %v", fi.Mode().Perm())
	}

	second := restartDemo(t, opts)
	if !second.d.Restored || len(second.d.Refused) != 0 || !second.authorizedHere(oa) {
		t.Fatalf("after the restart: restored %v, refused %v", second.d.Restored, second.d.Refused)
	}
	if code, body := second.relay(opts.ProjectToken, oa, "cgi-bin/user/get", "GET", nil); code != 200 {
		t.Fatalf("relay after the restart: %d %s", code, body)
	}
	// The kept component token is unknown to the restarted simulator too
	// (40001): one refresh each, the first authorizer call refused with it.
	if c, a := second.d.Sim.Calls("/cgi-bin/component/api_component_token"), second.d.Sim.Calls("/cgi-bin/component/api_authorizer_token"); c != 1 || a < 1 || a > 2 {
		t.Fatalf("%d component and %d authorizer token calls after the restart", c, a)
	}
}

// State that cannot be continued from fails the start with ErrDemoState,
// so the caller can start afresh: damaged, or from another scenario.
func TestDemoRefusesStateItCannotUse(t *testing.T) {
	dir := t.TempDir()
	opts := keptDemo(dir, "ok")
	restartDemo(t, opts).d.Close()
	for name, o := range map[string]Options{"another scenario": keptDemo(dir, "not-bound"), "another follower count": func() Options {
		o := keptDemo(dir, "ok")
		o.Followers = 301
		return o
	}()} {
		if d, err := Start(context.Background(), o); !errors.Is(err, ErrDemoState) {
			if d != nil {
				d.Close()
			}
			t.Errorf("%s: %v, want ErrDemoState", name, err)
		}
	}
	if err := os.WriteFile(opts.StatePath, []byte(`{"version":1,"scen`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), opts); !errors.Is(err, ErrDemoState) {
		t.Fatalf("damaged state: %v, want ErrDemoState", err)
	}
}

// When the simulator's state is older than the store (a crash between the
// two, or another key sealing the store), WeChat no longer knows the kept
// refresh token: the demo says so at start and the account reads as needing
// a new scan at once, not when a sync fails.
func TestDemoMarksAuthorizationsTheSimulatorRefuses(t *testing.T) {
	for _, c := range []struct {
		name     string
		staleSim bool
		key      string
	}{{"an older simulator state", true, ""}, {"another store key", false, "another-demo-store-key-0123456789abcdef"}} {
		t.Run(c.name, func(t *testing.T) {
			opts := keptDemo(t.TempDir(), "ok")
			first := restartDemo(t, opts)
			before, err := os.ReadFile(opts.StatePath)
			if err != nil {
				t.Fatal(err)
			}
			oa := first.d.Scenario.OAAppID
			first.authorize(oa)
			first.d.Close()
			if c.staleSim {
				if err := os.WriteFile(opts.StatePath, before, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if c.key != "" {
				opts.StoreKey = c.key
			}
			second := restartDemo(t, opts)
			if !slices.Equal(second.d.Refused, []string{oa}) || second.authorizedHere(oa) {
				t.Fatalf("refused %v; the account still reads as authorized: %v", second.d.Refused, second.authorizedHere(oa))
			}
			if code, _ := second.relay(opts.ProjectToken, oa, "cgi-bin/user/get", "GET", nil); code != 409 {
				t.Fatalf("relay for a refused authorization: %d, want 409", code)
			}
		})
	}
}
