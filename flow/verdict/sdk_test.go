package verdict

import "testing"

func TestSDKThreshold(t *testing.T) {
	cases := []struct {
		name                    string
		s                       *SDKStats
		openid, unionid         string
		openidNote, unionidNote string
	}{
		{"all good", &SDKStats{Rows: 5000, WithOpenID: 5000, WithUnionID: 5000}, Pass, Pass, "", ""},
		{"exactly the threshold", &SDKStats{Rows: 1000, WithOpenID: 900, WithUnionID: 810, NoOpenID: 100}, Pass, Pass, "check.sdk.bug.no_openid", ""},
		{"one id among nulls", &SDKStats{Rows: 5000, WithOpenID: 1, WithUnionID: 1, PlaceholderOpenID: 4999},
			Warning, Pass, "check.sdk.bug.placeholder_openid", ""},
		{"just under", &SDKStats{Rows: 1000, WithOpenID: 899, WithUnionID: 899, MalformedOpenID: 101}, Warning, Pass, "check.sdk.bug.malformed_openid", ""},
		{"unionid repeats openid", &SDKStats{Rows: 5000, WithOpenID: 5000, UnionIDIsOpenID: 5000}, Pass, Fail, "", "check.sdk.bug.unionid_is_openid"},
		{"unionid nulls in part", &SDKStats{Rows: 100, WithOpenID: 100, WithUnionID: 40, PlaceholderUnionID: 60}, Pass, Warning, "", "check.sdk.bug.placeholder_unionid"},
		{"no unionid column", &SDKStats{Rows: 100, WithOpenID: 100}, Pass, Fail, "", "check.sdk_unionid.zero"},
		{"only nulls", &SDKStats{Rows: 100, PlaceholderOpenID: 100}, Fail, Unknown, "check.sdk.bug.placeholder_openid", ""},
		{"no rows", &SDKStats{}, Unknown, Unknown, "", ""},
	}
	for _, c := range cases {
		cs := Evaluate(Input{SDK: c.s})
		o, u := find(cs, SDKOpenID), find(cs, SDKUnionID)
		if o.Status != c.openid || u.Status != c.unionid || o.Note != c.openidNote || u.Note != c.unionidNote {
			t.Errorf("%s: openid %s (%q), unionid %s (%q); want %s (%q), %s (%q)", c.name, o.Status, o.Note, u.Status, u.Note,
				c.openid, c.openidNote, c.unionid, c.unionidNote)
		}
		if o.Status == Warning && o.Reason != "check.sdk_openid.warning" {
			t.Errorf("%s: reason %q", c.name, o.Reason)
		}
	}
}

// The share behind each SDK badge is carried unrounded: 899 of 1,000 is
// 89.9 %, short of the 90 % the rule needs, never shown as reaching it.
func TestSDKSharePercent(t *testing.T) {
	cs := Evaluate(Input{SDK: &SDKStats{Rows: 1000, WithOpenID: 899, WithUnionID: 450, MalformedOpenID: 101}})
	o, u := find(cs, SDKOpenID), find(cs, SDKUnionID)
	if o.SharePercent == nil || *o.SharePercent != 89.9 || o.Status != Warning {
		t.Errorf("openid %s, share %v; want warning at 89.9", o.Status, o.SharePercent)
	}
	if u.SharePercent == nil || *u.SharePercent < 50.05 || *u.SharePercent > 50.06 {
		t.Errorf("unionid share %v; want 450/899", u.SharePercent)
	}
	if n := find(Evaluate(Input{SDK: &SDKStats{}}), SDKOpenID); n.SharePercent != nil {
		t.Errorf("no rows, share %v: unknown has no share", *n.SharePercent)
	}
}
