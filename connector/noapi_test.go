package connector

import (
	"net/http"
	"oawizard/connector/api"
	"strings"
	"testing"

	"oawizard/wechat/wechatsim"
)

// An account without API permission completes the authorization but gets
// no authorizer_refresh_token: its APIs answer no_api_permission, never
// needs_reauthorization, since scanning again cannot help; the account is
// not marked as needing a new scan.
func TestNoRefreshTokenSaysNoAPIPermission(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	st.d.Sim.UpdateAccount(oa, func(a *wechatsim.Account) { a.NoAPIPermission = true })
	if v := st.authorize(oa); v.Status != api.StatusAuthorized {
		t.Fatalf("session %+v", v)
	}
	code, body := st.relay(st.d.ProjectToken, oa, "cgi-bin/user/get", "GET", nil)
	if code != http.StatusForbidden || !strings.Contains(string(body), `"no_api_permission"`) {
		t.Fatalf("relay: %d %s", code, body)
	}
	var acct api.Account
	st.call("GET", "/v1/accounts/"+oa, st.d.ProjectToken, nil, &acct)
	if acct.NeedsReauthorization {
		t.Fatalf("told to authorize again: %+v", acct)
	}
}
