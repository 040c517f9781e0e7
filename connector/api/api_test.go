package api

import (
	"encoding/json"
	"testing"
)

// A fact reads the same whether it is the connector's own value (an int)
// or the wizard's decoded copy of it (a float64).
func TestFactReadsTheSameOnBothSides(t *testing.T) {
	own := Account{Facts: map[string]Fact{FactVerifyType: {Value: 0, Source: "api_get_authorizer_info"}}}
	b, err := json.Marshal(own)
	if err != nil {
		t.Fatal(err)
	}
	var decoded Account
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]Account{"connector": own, "wizard": decoded} {
		if v, ok := a.Fact(FactVerifyType).Int(); !ok || v != 0 {
			t.Errorf("%s side: verify_type = %v, %v; want 0, true", name, v, ok)
		}
		if u := a.Fact(FactOpenAppID).Unknown; u == nil || u.Reason != UnknownAbsent {
			t.Errorf("%s side: a fact the answer lacks must be unknown, got %+v", name, u)
		}
	}
}

// A refusal's reason gives back WeChat's code; no other reason does.
func TestRefusalReasonCarriesWeChatsCode(t *testing.T) {
	if c, ok := RefusalCode(RefusalReason(61004)); !ok || c != 61004 {
		t.Fatalf("RefusalCode(%q) = %d, %v", RefusalReason(61004), c, ok)
	}
	for _, r := range []string{RefusalReason(0), "wechat:", "wechat:x", "expired", ""} {
		if c, ok := RefusalCode(r); ok {
			t.Errorf("RefusalCode(%q) = %d, a code", r, c)
		}
	}
}
