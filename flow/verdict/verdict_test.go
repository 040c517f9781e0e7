package verdict

import (
	"testing"
	"time"
)

func ip(n int) *int   { return &n }
func bp(b bool) *bool { return &b }
func find(cs []Check, id string) Check {
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	panic(id)
}

var good = AccountFacts{Authorized: true, VerifyType: ip(0), PrincipalName: "深圳市青禾文化科技有限公司", Credential: "91440300MA5G2XK71P", OpenAppID: "wxopen1"}

func TestRules(t *testing.T) {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		in     Input
		id     string
		status string
		source string
		contra bool
	}{
		{"verified", Input{OA: good}, OAVerified, Pass, SourceAPI, false},
		{"naming pending passes", Input{OA: AccountFacts{VerifyType: ip(3)}}, OAVerified, Pass, SourceAPI, false},
		{"unverified", Input{OA: AccountFacts{VerifyType: ip(-1)}}, OAVerified, Fail, SourceAPI, false},
		{"weibo is not verified", Input{MP: AccountFacts{VerifyType: ip(1)}}, MPVerified, Fail, SourceAPI, false},
		{"tencent weibo is not verified", Input{OA: AccountFacts{VerifyType: ip(2)}}, OAVerified, Fail, SourceAPI, false},
		{"qualification with tencent weibo passes", Input{OA: AccountFacts{VerifyType: ip(5)}}, OAVerified, Pass, SourceAPI, false},
		{"qualification with sina weibo passes", Input{OA: AccountFacts{VerifyType: ip(4)}}, OAVerified, Pass, SourceAPI, false},
		{"an undocumented value is no verdict", Input{OA: AccountFacts{VerifyType: ip(9)}}, OAVerified, Unknown, SourceNone, false},
		{"unknown without data", Input{}, MPVerified, Unknown, SourceNone, false},
		{"self-report fills the gap", Input{Self: map[string]SelfReport{MPVerified: {Claim: Pass, At: at}}}, MPVerified, Pass, SourceSelf, false},
		{"API beats and contradicts self", Input{OA: AccountFacts{VerifyType: ip(-1)}, Self: map[string]SelfReport{OAVerified: {Claim: Pass}}}, OAVerified, Fail, SourceAPI, true},
		{"same credential", Input{OA: good, MP: good}, SamePrincipal, Pass, SourceAPI, false},
		{"different credential", Input{OA: good, MP: AccountFacts{PrincipalName: good.PrincipalName, Credential: "X"}}, SamePrincipal, Fail, SourceAPI, false},
		{"names equal modulo width", Input{OA: AccountFacts{PrincipalName: "青禾（深圳）有限公司"}, MP: AccountFacts{PrincipalName: "青禾(深圳) 有限公司"}}, SamePrincipal, Pass, SourceAPI, false},
		{"personal principal", Input{OA: AccountFacts{PrincipalName: "个人"}, MP: good}, SamePrincipal, Fail, SourceAPI, false},
		{"typed MP principal", Input{OA: good, Self: map[string]SelfReport{SamePrincipal: {Claim: Pass, Value: "深圳市青禾文化科技有限公司"}}}, SamePrincipal, Pass, SourceSelf, false},
		{"typed MP principal differs", Input{OA: good, Self: map[string]SelfReport{SamePrincipal: {Claim: Pass, Value: "别的公司"}}}, SamePrincipal, Fail, SourceSelf, false},
		{"bound", Input{OA: good}, OABound, Pass, SourceAPI, false},
		{"not bound 89002", Input{OA: AccountFacts{NotBound: true}}, OABound, Fail, SourceAPI, false},
		{"open/have false", Input{OA: AccountFacts{HasOpen: bp(false)}}, OABound, Fail, SourceAPI, false},
		{"followers carry unionid", Input{Data: &Data{Followers: 10, FollowersWithUnionID: 8}}, OABound, Pass, SourceData, false},
		{"followers without unionid", Input{Data: &Data{Followers: 10, Complete: true}}, OABound, Fail, SourceData, false},
		{"a partial sync without unionid proves nothing", Input{Data: &Data{Followers: 10}}, OABound, Unknown, SourceNone, false},
		{"MP unionid in export", Input{SDK: &SDKStats{Rows: 5, WithOpenID: 5, WithUnionID: 2}}, MPBound, Pass, SourceData, false},
		{"no MP unionid proves nothing", Input{SDK: &SDKStats{Rows: 5, WithOpenID: 5}}, MPBound, Unknown, SourceNone, false},
		{"same open appid", Input{OA: good, MP: good}, SameOpenAccount, Pass, SourceAPI, false},
		{"different open appid", Input{OA: good, MP: AccountFacts{OpenAppID: "wxopen2"}}, SameOpenAccount, Fail, SourceAPI, false},
		{"overlap proves same", Input{Data: &Data{Matched: 3}}, SameOpenAccount, Pass, SourceData, false},
		{"no overlap on a large sample", Input{Data: &Data{FollowersWithUnionID: 5000, SDKWithUnionID: 2000, Complete: true}}, SameOpenAccount, Fail, SourceData, false},
		{"no overlap yet in a partial sync", Input{Data: &Data{Followers: 20000, FollowersWithUnionID: 16000, SDKWithUnionID: 2000}}, SameOpenAccount, Unknown, SourceNone, false},
		{"principals differ under one Open Platform account", Input{OA: good, MP: AccountFacts{PrincipalName: "广州市南岭贸易有限公司", Credential: "X", OpenAppID: good.OpenAppID}}, SamePrincipal, Warning, SourceAPI, false},
		{"principals differ, unionids shared", Input{OA: good, Self: map[string]SelfReport{SamePrincipal: {Claim: Fail}}, Data: &Data{Followers: 10, FollowersWithUnionID: 8, Matched: 3}}, SamePrincipal, Warning, SourceSelf, false},
		{"typed principal differs, unionids shared", Input{OA: good, Self: map[string]SelfReport{SamePrincipal: {Claim: Pass, Value: "别的公司"}}, Data: &Data{Matched: 3}}, SamePrincipal, Warning, SourceSelf, false},
		{"a personal principal stays a failure", Input{OA: AccountFacts{PrincipalName: "个人", OpenAppID: "wxopen1"}, MP: good}, SamePrincipal, Fail, SourceAPI, false},
		{"no overlap on a small sample", Input{Data: &Data{FollowersWithUnionID: 5000, SDKWithUnionID: 20}}, SameOpenAccount, Unknown, SourceNone, false},
		{"sdk openid", Input{SDK: &SDKStats{Rows: 3, WithOpenID: 3}}, SDKOpenID, Pass, SourceData, false},
		{"sdk without openid", Input{SDK: &SDKStats{Rows: 3}}, SDKOpenID, Fail, SourceData, false},
		{"sdk unionid", Input{SDK: &SDKStats{Rows: 3, WithOpenID: 3, WithUnionID: 3}}, SDKUnionID, Pass, SourceData, false},
		{"sdk unionid zero", Input{SDK: &SDKStats{Rows: 3, WithOpenID: 3}}, SDKUnionID, Fail, SourceData, false},
		{"no export yet", Input{}, SDKUnionID, Unknown, SourceNone, false},
	}
	for _, c := range cases {
		got := find(Evaluate(c.in), c.id)
		if got.Status != c.status || got.Evidence.Source != c.source || got.Contradicts != c.contra {
			t.Errorf("%s: %s from %s (contradicts %v), want %s from %s (%v)", c.name, got.Status, got.Evidence.Source, got.Contradicts, c.status, c.source, c.contra)
		}
		if got.Reason != "check."+c.id+"."+c.status || got.Remedy == "" || got.Help == "" {
			t.Errorf("%s: keys %q %q %q", c.name, got.Reason, got.Remedy, got.Help)
		}
	}
}

func TestEveryCheckIsReported(t *testing.T) {
	cs := Evaluate(Input{})
	if len(cs) != len(AccountChecks)+len(SDKChecks) || AnyFail(cs) || AllPass(cs) {
		t.Fatalf("%+v", cs)
	}
	all := Evaluate(Input{OA: good, MP: good, SDK: &SDKStats{Rows: 1, WithOpenID: 1, WithUnionID: 1}})
	if !AllPass(all) {
		for _, c := range all {
			t.Logf("%s %s", c.ID, c.Status)
		}
		t.Fatal("everything known and good should pass")
	}
}
