package wechatsim

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
)

// BrowserAuth: real WeChat knows who is scanning from the logged-in client.
// A desktop browser or an ordinary phone has no such identity, so the
// simulator asks, offering the roles a rehearsal needs: each kind of
// account's admin, the admin of both, and someone who administers neither.

// identity is one answer to "who are you?".
type identity struct {
	Value, Label, LabelEN string
	adminOf               []string
}

// identities lists the roles for the scenario's accounts. Callers hold s.mu.
func (s *Server) identities() []identity {
	var oa, mp []string
	for id, a := range s.accounts {
		switch a.Kind {
		case "oa":
			oa = append(oa, id)
		case "mp":
			mp = append(mp, id)
		}
	}
	sort.Strings(oa)
	sort.Strings(mp)
	var out []identity
	if len(oa) > 0 {
		out = append(out, identity{Value: "oa", Label: "公众号管理员（" + s.names(oa) + "）",
			LabelEN: "The Official Account's admin (" + s.names(oa) + ")", adminOf: oa})
	}
	if len(mp) > 0 {
		out = append(out, identity{Value: "mp", Label: "小程序管理员（" + s.names(mp) + "）",
			LabelEN: "The mini-program's admin (" + s.names(mp) + ")", adminOf: mp})
	}
	if len(oa) > 0 && len(mp) > 0 {
		out = append(out, identity{Value: "both", Label: "公众号和小程序的管理员", LabelEN: "Admin of both accounts",
			adminOf: append(slices.Clone(oa), mp...)})
	}
	return append(out, identity{Value: "none", Label: "不是管理员（例如同事或访客）", LabelEN: "Not an admin (a colleague, a visitor)", adminOf: []string{}})
}

func (s *Server) names(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += "、"
		}
		out += s.accounts[id].NickName
	}
	return out
}

// identityAdminOf is the accounts the chosen role administers; false when
// no role (or an unknown one) was chosen. Callers hold s.mu.
func (s *Server) identityAdminOf(value string) ([]string, bool) {
	for _, id := range s.identities() {
		if id.Value == value {
			return id.adminOf, true
		}
	}
	return nil, false
}

// accountLabel names an offered account as WeChat's page does: its name
// and kind. Callers hold s.mu.
func (s *Server) accountLabel(appid string) string {
	a := s.accounts[appid]
	kind := "公众号 / Official Account"
	if a.Kind == "mp" {
		kind = "小程序 / Mini-program"
	}
	return a.NickName + "（" + kind + "） " + appid
}

// renderChooser asks who is browsing. The form resubmits the page's own
// query with "as" added and keeps the Referer that brought the browser
// here, for 取消. Callers hold s.mu.
func (s *Server) renderChooser(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var hidden []hiddenField
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "as" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		hidden = append(hidden, hiddenField{k, q.Get(k)})
	}
	if q.Get("back") == "" && r.Referer() != "" {
		hidden = append(hidden, hiddenField{"back", r.Referer()})
	}
	renderPage(w, http.StatusOK, pageData{Kind: "whoami", Title: "授权给第三方平台 / Authorize the platform", Browser: true,
		Identities: s.identities(), Action: r.URL.Path, Hidden: hidden})
}

// setNames are the permission sets' names on WeChat's page (§1.12).
var setNames = map[int]string{1: "消息管理 / Messages", 2: "用户管理 / User management", 3: "账号服务 / Account services",
	4: "网页服务 / Web pages", 7: "群发与通知 / Broadcasts", 11: "素材管理 / Media", 15: "菜单管理 / Menus",
	24: "开放平台账号管理 / Open Platform account", 27: "快速注册小程序 / Mini-program registration",
	33: "小程序关联管理 / Mini-program links", 17: "账号管理 / Account", 18: "开发管理与数据分析 / Development and analytics",
	25: "开放平台账号管理 / Open Platform account", 30: "小程序基本信息设置 / Basic settings", 31: "认证 / Verification"}

// textEN is the English under each page text.
var textEN = map[string]string{
	textNotAdmin:    "You are not an admin of this account. Scan with the WeChat of the account's admin.",
	textNoAccounts:  "Your WeChat has no Official Account or mini-program it could authorize.",
	textBadParams:   "Bad parameters; contact the service provider.",
	textExpired:     "This authorization link has expired; go back to the provider's page for a new one.",
	textBadRedirect: "The callback address is not on the platform's authorization domain.",
	textNotInWeChat: "Open this link in WeChat.",
}

// refuseBrowser is WeChat's refusal, plus a way back to choosing who one
// is, since in a rehearsal the wrong role is usually a slip.
func (s *Server) refuseBrowser(w http.ResponseWriter, r *http.Request, msg string) {
	q := r.URL.Query()
	q.Del("as")
	renderPage(w, http.StatusOK, pageData{Kind: "error", Title: "微信公众平台", Message: msg, MessageEN: textEN[msg], Browser: true,
		Link: r.URL.Path + "?" + q.Encode(), LinkText: "换一个身份 / Choose another role"})
}

// cancelBrowser is 取消: WeChat tells no one and goes back to the page the
// admin came from, which learns of the cancel by being visited again.
func (s *Server) cancelBrowser(w http.ResponseWriter, r *http.Request, pg *pageState) {
	back := ""
	if s.opts.BackURL != nil {
		back = s.opts.BackURL(pg.redirectURI)
	}
	if back == "" {
		if u, err := url.Parse(pg.back); err == nil && u.Host != "" && u.Path != "" && u.Path != "/" {
			back = pg.back
		}
	}
	if back != "" {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	renderPage(w, http.StatusOK, pageData{Kind: "cancelled", Title: "已取消授权 / Authorization cancelled", Browser: true,
		Message: "没有授权任何账号。可以关闭这个页面。", MessageEN: "Nothing was authorized. You can close this page."})
}
