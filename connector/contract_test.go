package connector

import (
	"slices"
	"testing"

	"oawizard/connector/api"
)

// The account answer carries every fact the contract names, each with a
// value or a reason, so the wizard never meets a name it does not know.
func TestAccountAnswerCarriesEveryContractFact(t *testing.T) {
	st := startStack(t, "ok", nil)
	s := st.authorize(st.d.Scenario.OAAppID)
	if s.Status != api.StatusAuthorized {
		t.Fatalf("status %s", s.Status)
	}
	var a api.Account
	if code := st.call("GET", "/v1/accounts/"+s.AppID, st.d.ProjectToken, nil, &a); code != 200 {
		t.Fatalf("account: %d", code)
	}
	for _, name := range api.FactNames {
		f, ok := a.Facts[name]
		if !ok {
			t.Errorf("fact %s missing", name)
			continue
		}
		if !f.Known() && f.Unknown == nil {
			t.Errorf("fact %s has neither a value nor a reason", name)
		}
	}
	if extra := len(a.Facts) - len(api.FactNames); extra != 0 || !slices.Contains(api.FactNames, api.FactHasOpen) {
		t.Errorf("the answer names %d facts the contract does not", extra)
	}
}
