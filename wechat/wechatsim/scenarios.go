package wechatsim

import "time"

// Scenarios are the presets customer-success staff train with and tests run
// (design.md "Demo scenarios"). Every preset has the same Official Account
// and mini-program appids, so a script can switch presets without new ids.

// Appids of the preset accounts and Open Platform accounts.
const (
	DemoOAAppID    = "wx5a3c9e1f7b2d4806"
	DemoMPAppID    = "wx8d4e2b6a1c9f3705"
	DemoOpenAppID  = "wx1f6b3d8e5a2c7094"
	OtherOpenAppID = "wx7e2a9c4f1d6b3058"
)

// ScenarioInfo describes a preset.
type ScenarioInfo struct {
	Name               string
	OAAppID, MPAppID   string
	Followers          int
	Title, TitleEN     string
	Summary, SummaryEN string
}

type preset struct {
	info  ScenarioInfo
	apply func(s *Server, oa, mp *Account)
}

var presets = []preset{
	{ScenarioInfo{Name: "ok", Title: "一切正常", TitleEN: "All good",
		Summary: "两个账号都已认证、同一主体、绑定同一开放平台；5 万粉丝，几乎全部带 unionid。", SummaryEN: "Both accounts verified, same principal, same Open Platform; 50,000 followers, nearly all with unionid."}, nil},
	{ScenarioInfo{Name: "unverified", Title: "公众号未认证", TitleEN: "Official Account not verified",
		Summary: "公众号未完成微信认证，无法读取粉丝。", SummaryEN: "The Official Account is not verified, so followers cannot be read."},
		func(_ *Server, oa, _ *Account) { oa.VerifyType = -1; oa.CustomerType = 0 }},
	{ScenarioInfo{Name: "principal-mismatch", Title: "主体不一致", TitleEN: "Different principals",
		Summary: "小程序属于另一家公司。", SummaryEN: "The mini-program belongs to another company."},
		func(_ *Server, _, mp *Account) {
			mp.PrincipalName, mp.Credential = "广州市南岭贸易有限公司", "91440101MA59K3LQ2X"
		}},
	{ScenarioInfo{Name: "not-bound", Title: "公众号未绑定开放平台", TitleEN: "Official Account not bound to Open Platform",
		Summary: "公众号没有绑定开放平台账号，粉丝没有 unionid。", SummaryEN: "The Official Account is not bound to an Open Platform account; followers have no unionid."},
		func(_ *Server, oa, _ *Account) { oa.OpenAppID = "" }},
	{ScenarioInfo{Name: "different-open-account", Title: "绑定了不同的开放平台", TitleEN: "Different Open Platform accounts",
		Summary: "公众号和小程序绑定在两个不同的开放平台账号下，unionid 对不上。", SummaryEN: "The two accounts sit under different Open Platform accounts, so unionids differ."},
		func(_ *Server, _, mp *Account) { mp.OpenAppID = OtherOpenAppID }},
	{ScenarioInfo{Name: "ip-not-whitelisted", Title: "服务器 IP 未加白名单", TitleEN: "Server IP not whitelisted",
		Summary: "服务商服务器的 IP 不在第三方平台白名单中（61004），需服务商处理。", SummaryEN: "The vendor's server IP is not on the platform whitelist (61004); the vendor must fix it."},
		func(s *Server, _, _ *Account) { s.whitelist = parseNets([]string{"203.0.113.10"}) }},
	{ScenarioInfo{Name: "quota-exceeded", Title: "接口调用次数用完", TitleEN: "Daily API quota used up",
		Summary: "同步到一半时今日用户信息接口次数用完（45009）。", SummaryEN: "The day's user-info quota runs out halfway through the sync (45009)."},
		func(s *Server, oa, _ *Account) {
			// 45% of the batchget calls a full sync needs, so the cut
			// falls inside a page, as it would in real life.
			s.quotas.limits[oa.AppID+"|/cgi-bin/user/info/batchget"] = quotaLimit{daily: max(1, (oa.Followers+99)/100*45/100)}
		}},
	{ScenarioInfo{Name: "revoked-mid-sync", Title: "同步中取消授权", TitleEN: "Authorization revoked during sync",
		Summary: "同步进行到三成时，管理员在公众号后台取消了授权。", SummaryEN: "The admin revokes the authorization when the sync is about 30% done."},
		func(s *Server, oa, _ *Account) {
			s.faults.revokeAfter, s.faults.revokeAppID = max(1, oa.Followers/100*3/10), oa.AppID
		}},
	{ScenarioInfo{Name: "flaky", Title: "网络不稳定", TitleEN: "Unstable network",
		Summary: "微信接口偶尔返回系统繁忙（-1）并出现延迟尖峰。", SummaryEN: "WeChat sometimes answers -1 (system busy) and has latency spikes."},
		func(s *Server, _, _ *Account) {
			s.faults.transientRate, s.faults.spikeRate, s.faults.spike = 0.08, 0.03, 400*time.Millisecond
		}},
}

// unfollowedDuringSync is the share of batchget rows answered subscribe:0.
// user/get lists followers only and batchget takes "已关注用户的 openid"
// (api_getfans, api_batchuserinfo), so the only unfollowed rows are people
// who left between the listing and the batch: a few in a thousand. A bound
// account's sync therefore ends near 100 % with unionid.
const unfollowedDuringSync = 0.002

// Scenarios lists the preset names in the order a menu shows them.
func Scenarios() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.info.Name
	}
	return names
}

// ScenarioInfos describes every preset, for menus.
func ScenarioInfos() []ScenarioInfo {
	out := make([]ScenarioInfo, len(presets))
	for i, p := range presets {
		out[i] = p.info
		out[i].OAAppID, out[i].MPAppID, out[i].Followers = DemoOAAppID, DemoMPAppID, 50000
	}
	return out
}

// Scenario describes the preset this server runs.
func (s *Server) Scenario() ScenarioInfo { return s.scenario.info }

// KnownScenario reports whether name is a preset.
func KnownScenario(name string) bool {
	for _, p := range presets {
		if p.info.Name == name {
			return true
		}
	}
	return name == ""
}

// applyScenario installs the preset's accounts and faults. An unknown name
// runs "ok"; callers check KnownScenario first when the name came from a user.
func (s *Server) applyScenario(name string, followers int) {
	if name == "" {
		name = "ok"
	}
	p := presets[0]
	for _, q := range presets {
		if q.info.Name == name {
			p = q
		}
	}
	if followers <= 0 {
		followers = 50000
	}
	oa := &Account{AppID: DemoOAAppID, Kind: "oa", NickName: "青禾生活馆", UserName: "gh_3a7c5e9b1d24", Alias: "qinghe_life",
		ServiceType: 2, VerifyType: 0, PrincipalName: "深圳市青禾文化科技有限公司", PrincipalType: 1,
		Credential: "91440300MA5G2XK71P", CustomerType: 1, OpenAppID: DemoOpenAppID,
		Followers: followers, UnsubscribedShare: unfollowedDuringSync, Secret: randomString(32)}
	mp := &Account{AppID: DemoMPAppID, Kind: "mp", NickName: "青禾生活馆商城", UserName: "gh_8e2d4b6f0a13",
		ServiceType: 0, VerifyType: 0, PrincipalName: oa.PrincipalName, PrincipalType: 1,
		Credential: oa.Credential, CustomerType: 1, OpenAppID: DemoOpenAppID, Secret: randomString(32)}
	if p.apply != nil {
		p.apply(s, oa, mp)
	}
	s.accounts[oa.AppID], s.accounts[mp.AppID] = oa, mp
	p.info.OAAppID, p.info.MPAppID, p.info.Followers = oa.AppID, mp.AppID, followers
	s.scenario = p
}
