// Package verdict decides the wizard's badges from what is known: the
// connector's facts about each account, what the admin saw and reported
// (自查), the SDK export and the synced followers. The functions are pure, so
// every rule is table-tested.
package verdict

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/width"

	"oawizard/wechat"
)

// Check ids; they are also the headless report's ids.
const (
	OAVerified      = "oa_verified"
	MPVerified      = "mp_verified"
	SamePrincipal   = "same_principal"
	OABound         = "oa_bound"
	MPBound         = "mp_bound"
	SameOpenAccount = "same_open_account"
	SDKOpenID       = "sdk_openid"
	SDKUnionID      = "sdk_unionid"
)

// AccountChecks are step 1's six badges, in display order.
var AccountChecks = []string{OAVerified, MPVerified, SamePrincipal, OABound, MPBound, SameOpenAccount}

// SDKChecks are step 2's badges.
var SDKChecks = []string{SDKOpenID, SDKUnionID}

// Statuses.
const (
	Pass = "pass"
	// Warning: the guide's rule is not met, yet the data shows the goal is
	// reached (or a share is below its threshold but above zero). Amber,
	// never counted as pass, never as fail.
	Warning = "warning"
	Fail    = "fail"
	Unknown = "unknown"
)

// Sources of evidence, strongest first: WeChat's API, data we hold, the
// admin's own report.
const (
	SourceAPI  = "api"
	SourceData = "data"
	SourceSelf = "self"
	SourceNone = "none"
)

// Evidence is why a badge says what it says.
type Evidence struct {
	Source string    `json:"source"`
	Field  string    `json:"field,omitempty"`
	Value  string    `json:"value,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// Check is one badge.
type Check struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	Evidence    Evidence `json:"evidence"`
	Reason      string   `json:"reason"` // message key of the one-line explanation
	Remedy      string   `json:"remedy"` // message key of what to do
	Help        string   `json:"help"`   // a link to copy
	Blocking    bool     `json:"blocking"`
	Contradicts bool     `json:"contradicts,omitempty"` // the admin's 自查 said otherwise
	Note        string   `json:"note,omitempty"`        // message key of a caveat
	// SharePercent is, for step 2's badges, the percent of the rows
	// counted that carry the id (not rounded: 89.96 is short of 90).
	SharePercent *float64 `json:"share_percent,omitempty"`
}

// AccountFacts is what WeChat told the connector about one account.
type AccountFacts struct {
	Authorized    bool
	VerifyType    *int
	PrincipalName string
	PrincipalType *int
	Credential    string
	OpenAppID     string
	NotBound      bool  // open/get answered 89002
	HasOpen       *bool // open/have
	CheckedAt     time.Time
}

// SelfReport is what the admin saw in the back office.
type SelfReport struct {
	Claim string // pass | fail
	Value string // e.g. the principal name they read
	At    time.Time
}

// Data is what the follower sync and the SDK import prove together.
type Data struct {
	Followers, FollowersWithUnionID int64
	SDKWithUnionID, Matched         int64
	// Complete: the followers are all of them (the latest sync reached
	// the end). What is missing from a partial sync proves nothing, so
	// no rule fails on counts that are not complete.
	Complete bool
}

// Input is everything the rules look at. Nil pointers mean "not yet known".
type Input struct {
	OA, MP AccountFacts
	Self   map[string]SelfReport
	SDK    *SDKStats
	Data   *Data
}

// Large enough that finding no common unionid is not bad luck.
const matchSample = 1000

// Help links admins can copy.
const (
	helpVerify = "https://mp.weixin.qq.com （设置与开发 → 微信认证）"
	helpOpen   = "https://open.weixin.qq.com （管理中心 → 公众号/小程序 → 绑定）"
	helpUnion  = "https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/union-id.html"
	helpMPInfo = "https://mp.weixin.qq.com （小程序后台 → 设置 → 基本设置 → 主体信息）"
)

// Evaluate decides every badge.
func Evaluate(in Input) []Check {
	out := []Check{
		verified(OAVerified, in.OA, in.Self[OAVerified]),
		verified(MPVerified, in.MP, in.Self[MPVerified]),
		samePrincipal(in),
		bound(OABound, in.OA, in.Self[OABound], oaDataBound(in.Data)),
		bound(MPBound, in.MP, in.Self[MPBound], mpDataBound(in.SDK)),
		sameOpen(in),
		sdkOpenID(in.SDK),
		sdkUnionID(in.SDK),
	}
	return out
}

func base(id string) Check {
	c := Check{ID: id, Status: Unknown, Evidence: Evidence{Source: SourceNone}, Reason: "check." + id + ".unknown", Remedy: "remedy." + id}
	switch id {
	case OAVerified, MPVerified:
		c.Help = helpVerify
	case SamePrincipal:
		c.Help = helpMPInfo
	case OABound, MPBound, SameOpenAccount:
		c.Help = helpOpen
	default:
		c.Help = helpUnion
	}
	// A failed account check means no shared unionid; a failed SDK check
	// means the data cannot be joined. Both stop the wizard unless the
	// admin chooses to go on. Unknown never blocks.
	c.Blocking = true
	return c
}

func (c Check) with(status string, ev Evidence) Check {
	c.Status, c.Evidence = status, ev
	c.Reason = "check." + c.ID + "." + status
	return c
}

// fromSelf applies a self-report when nothing stronger is known.
func fromSelf(c Check, r SelfReport) Check {
	if r.Claim != Pass && r.Claim != Fail {
		return c
	}
	return c.with(r.Claim, Evidence{Source: SourceSelf, Value: r.Value, At: r.At})
}

// settle marks a stronger verdict that disagrees with the admin's report.
func settle(c Check, r SelfReport) Check {
	if (r.Claim == Pass || r.Claim == Fail) && c.Evidence.Source != SourceSelf && c.Status != Unknown && r.Claim != c.Status {
		c.Contradicts = true
	}
	return c
}

func verified(id string, a AccountFacts, self SelfReport) Check {
	c := base(id)
	if a.VerifyType == nil {
		return fromSelf(c, self)
	}
	ev := Evidence{Source: SourceAPI, Field: "verify_type_info.id", Value: fmt.Sprint(*a.VerifyType), At: a.CheckedAt}
	qualified, known := wechat.Verification(*a.VerifyType)
	switch {
	case !known:
		// A value the docs do not list is no verdict either way.
		return fromSelf(c, self)
	case *a.VerifyType == 0:
		c = c.with(Pass, ev)
	case qualified:
		// Qualification passed, naming pending (3, 4, 5): the APIs are available.
		c = c.with(Pass, ev)
		c.Note = "check.verified.naming_pending"
	default: // -1 not verified; 1, 2 Weibo count as not verified for APIs
		c = c.with(Fail, ev)
		c.Note = "check.verified.late_caveat"
	}
	return settle(c, self)
}

// NormalisePrincipal makes principal names comparable: full-width
// characters and parentheses folded, spaces dropped.
func NormalisePrincipal(s string) string {
	s = width.Fold.String(s)
	return strings.Join(strings.Fields(s), "")
}

func samePrincipal(in Input) Check {
	c := base(SamePrincipal)
	self := in.Self[SamePrincipal]
	oa, mp := in.OA, in.MP
	if oa.PrincipalName == "个人" || mp.PrincipalName == "个人" {
		c = c.with(Fail, Evidence{Source: SourceAPI, Field: "principal_name", Value: "个人", At: oa.CheckedAt})
		c.Note = "check.same_principal.personal"
		return settle(c, self)
	}
	switch {
	case oa.Credential != "" && mp.Credential != "":
		st := Fail
		if strings.EqualFold(strings.TrimSpace(oa.Credential), strings.TrimSpace(mp.Credential)) {
			st = Pass
		}
		c = c.with(st, Evidence{Source: SourceAPI, Field: "credential", Value: oa.Credential + " / " + mp.Credential, At: oa.CheckedAt})
	case oa.PrincipalName != "" && mp.PrincipalName != "":
		st := Fail
		if NormalisePrincipal(oa.PrincipalName) == NormalisePrincipal(mp.PrincipalName) {
			st = Pass
		}
		c = c.with(st, Evidence{Source: SourceAPI, Field: "principal_name", Value: oa.PrincipalName + " / " + mp.PrincipalName, At: oa.CheckedAt})
	case oa.PrincipalName != "" && self.Value != "":
		// The admin typed the mini-program's principal from its back office.
		st := Fail
		if NormalisePrincipal(oa.PrincipalName) == NormalisePrincipal(self.Value) {
			st = Pass
		}
		c = c.with(st, Evidence{Source: SourceSelf, Field: "principal_name", Value: oa.PrincipalName + " / " + self.Value, At: self.At})
		return oneOpenAccount(c, in)
	default:
		return oneOpenAccount(fromSelf(c, self), in)
	}
	return oneOpenAccount(settle(c, self), in)
}

// oneOpenAccount turns a principal mismatch into a warning when WeChat or
// the data shows both accounts under one Open Platform account: the
// guide's rule (one principal) is not met, yet WeChat allowed the binding
// and unionids are shared, so nothing needs migrating.
func oneOpenAccount(c Check, in Input) Check {
	if c.Status != Fail {
		return c
	}
	oa, mp, d := in.OA.OpenAppID, in.MP.OpenAppID, in.Data
	if (oa != "" && oa == mp) || (d != nil && d.Matched > 0) {
		c.Status, c.Reason, c.Note = Warning, "check."+c.ID+"."+Warning, "check.same_principal.one_open_account"
		c.Remedy, c.Blocking = "remedy.same_principal.warning", false
	}
	return c
}

// dataBound is what data says about a binding: pass, fail or "".
type dataBound struct {
	status, value string
}

func oaDataBound(d *Data) dataBound {
	if d == nil || d.Followers == 0 {
		return dataBound{}
	}
	v := fmt.Sprintf("%d/%d", d.FollowersWithUnionID, d.Followers)
	switch {
	case d.FollowersWithUnionID > 0:
		return dataBound{Pass, v}
	case d.Complete:
		return dataBound{Fail, v}
	}
	return dataBound{}
}

func mpDataBound(s *SDKStats) dataBound {
	if s == nil || s.WithUnionID == 0 {
		// No unionid in the export can also be an SDK that does not
		// report it, so it proves nothing about the binding.
		return dataBound{}
	}
	return dataBound{Pass, fmt.Sprintf("%d/%d", s.WithUnionID, s.WithOpenID)}
}

func bound(id string, a AccountFacts, self SelfReport, data dataBound) Check {
	c := base(id)
	switch {
	case a.OpenAppID != "":
		c = c.with(Pass, Evidence{Source: SourceAPI, Field: "open_appid", Value: a.OpenAppID, At: a.CheckedAt})
	case a.NotBound:
		c = c.with(Fail, Evidence{Source: SourceAPI, Field: "open/get", Value: "89002", At: a.CheckedAt})
	case a.HasOpen != nil:
		st := Fail
		if *a.HasOpen {
			st = Pass
		}
		c = c.with(st, Evidence{Source: SourceAPI, Field: "have_open", Value: fmt.Sprint(*a.HasOpen), At: a.CheckedAt})
	case data.status != "":
		c = c.with(data.status, Evidence{Source: SourceData, Field: "unionid", Value: data.value})
	default:
		return fromSelf(c, self)
	}
	return settle(c, self)
}

func sameOpen(in Input) Check {
	c := base(SameOpenAccount)
	self := in.Self[SameOpenAccount]
	oa, mp, d := in.OA.OpenAppID, in.MP.OpenAppID, in.Data
	switch {
	case oa != "" && mp != "":
		st := Fail
		if oa == mp {
			st = Pass
		}
		c = c.with(st, Evidence{Source: SourceAPI, Field: "open_appid", Value: oa + " / " + mp, At: in.OA.CheckedAt})
	case in.OA.NotBound || in.MP.NotBound:
		// One side has no Open Platform account at all.
		c = c.with(Fail, Evidence{Source: SourceAPI, Field: "open/get", Value: "89002", At: in.OA.CheckedAt})
	case d != nil && d.Matched > 0:
		// The same unionid on both sides can only come from one Open Platform account.
		c = c.with(Pass, Evidence{Source: SourceData, Field: "matched_unionids", Value: fmt.Sprint(d.Matched)})
	case d != nil && d.Complete && d.FollowersWithUnionID >= matchSample && d.SDKWithUnionID >= matchSample:
		c = c.with(Fail, Evidence{Source: SourceData, Field: "matched_unionids",
			Value: fmt.Sprintf("0 of %d/%d", d.SDKWithUnionID, d.FollowersWithUnionID)})
		c.Note = "check.same_open_account.no_match"
	default:
		return fromSelf(c, self)
	}
	return settle(c, self)
}

// AllPass reports whether every check passed.
func AllPass(cs []Check) bool {
	for _, c := range cs {
		if c.Status != Pass {
			return false
		}
	}
	return true
}

// AnyFail reports whether any check failed.
func AnyFail(cs []Check) bool {
	for _, c := range cs {
		if c.Status == Fail {
			return true
		}
	}
	return false
}
