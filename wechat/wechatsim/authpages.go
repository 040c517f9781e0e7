package wechatsim

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"oawizard/wechat"
)

// The authorization pages (§2): the PC page on mp.weixin.qq.com that must be
// reached from the 授权发起页域名, and the H5 bindcomponent page the admin
// opens inside WeChat, picks the account, reviews the permission sets and
// confirms. In the simulator both live on the API host.

type preAuthCode struct {
	value     string
	component string
	expires   time.Time
	usedBy    string // authorizer appid that consumed it
}

type authCode struct {
	value      string
	component  string
	authorizer string
	expires    time.Time
	used       bool
}

// pageState is one rendering of the bindcomponent page for one phone.
type pageState struct {
	id          string
	component   string
	preAuth     string
	redirectURI string
	bizAppID    string
	user        string
	accounts    []string
	perms       []int
	pending     func() // the authorized push when it is to follow the redirect
	browser     bool   // shown to a browser under BrowserAuth
	back        string // where 取消 returns a browser ("" = unknown)
}

// Default permission sets offered (§1.12): those of an OA and of an MP.
var (
	oaSets = []int{1, 2, 3, 4, 7, 11, 15, 24, 27, 33}
	mpSets = []int{17, 18, 25, 30, 31}
)

// newAuthCode issues a single-use authorization code. Callers hold s.mu.
func (s *Server) newAuthCode(componentAppID, authorizer string) *authCode {
	c := &authCode{value: "queryauthcode@@@" + randomString(86), component: componentAppID, authorizer: authorizer,
		expires: s.clk.Now().Add(AuthCodeLifetime)}
	s.authCodes[c.value] = c
	return c
}

// The texts WeChat shows; the Referer one is verbatim from community reports
// (§2.3), the others are close to what the pages say.
const (
	textReferer     = "请确认授权入口页所在域名，与授权后回调页所在域名相同，并且，此两者都必须与申请第三方平台时填写的授权发起页域名相同。授权入口页所在域名："
	textNotInWeChat = "请在微信客户端打开链接"
	textExpired     = "该授权链接已失效，请返回服务商页面重新获取"
	textBadRedirect = "回调地址与第三方平台的授权发起页域名不一致"
	textNotAdmin    = "你不是该账号的管理员，请使用该账号的管理员微信扫码授权"
	textNoAccounts  = "你的微信号没有可以授权的公众号或小程序"
	textBadParams   = "参数错误，请联系服务商"
)

func errorPage(w http.ResponseWriter, msg string) {
	renderPage(w, http.StatusOK, pageData{Kind: "error", Title: "微信公众平台", Message: msg, MessageEN: textEN[msg]})
}

// checkLink validates the parameters both pages share. Callers hold s.mu.
func (s *Server) checkLink(q url.Values) (*component, *preAuthCode, string) {
	c := s.components[q.Get("component_appid")]
	if c == nil {
		return nil, nil, textBadParams
	}
	p := s.preAuth[q.Get("pre_auth_code")]
	if p == nil || p.component != c.AppID || p.usedBy != "" || !s.clk.Now().Before(p.expires) {
		return nil, nil, textExpired
	}
	ru, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || ru.Hostname() == "" || ru.Hostname() != c.AuthDomain {
		return nil, nil, textBadRedirect
	}
	return c, p, ""
}

// handlePCPage is componentloginpage: WeChat checks the Referer against the
// 授权发起页域名, so a link typed in or drawn as a QR fails with "……：空".
func (s *Server) handlePCPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	c, _, msg := s.checkLink(q)
	s.mu.Unlock()
	if c != nil {
		from := "空"
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Hostname() != "" {
			from = ref.Hostname()
		}
		if from != c.AuthDomain {
			msg = textReferer + from
		}
	}
	if msg != "" {
		errorPage(w, msg)
		return
	}
	scan := url.Values{}
	for _, k := range []string{"component_appid", "pre_auth_code", "redirect_uri", "auth_type", "biz_appid", "category_id_list"} {
		if v := q.Get(k); v != "" {
			scan.Set(k, v)
		}
	}
	scan.Set("action", "bindcomponent")
	scan.Set("no_scan", "1")
	renderPage(w, http.StatusOK, pageData{Kind: "componentloginpage", Title: "公众平台帐号授权", Browser: s.opts.BrowserAuth,
		ScanURL: s.URL + "/wxaopen/safe/bindcomponent?" + scan.Encode() + "#wechat_redirect"})
}

var scanRE = regexp.MustCompile(`data-scan-url="([^"]+)"`)

// ScanURL extracts what the PC page's QR code encodes, for a Phone to open.
func ScanURL(pcPage string) (string, bool) {
	m := scanRE.FindStringSubmatch(pcPage)
	if m == nil {
		return "", false
	}
	return html.UnescapeString(m[1]), true
}

// handleBindPage is the H5 bindcomponent page (current and older host path).
// With BrowserAuth, a browser that is not a simulated Phone first says who
// it is; from then on the page acts as it does for that WeChat user.
func (s *Server) handleBindPage(w http.ResponseWriter, r *http.Request) {
	browser := s.opts.BrowserAuth && r.Header.Get(phoneHeader) == ""
	if !browser && !strings.Contains(r.UserAgent(), "MicroMessenger") {
		errorPage(w, textNotInWeChat)
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	c, p, msg := s.checkLink(q)
	if msg != "" {
		errorPage(w, msg)
		return
	}
	user := r.Header.Get(phoneHeader)
	admin := s.phones[user]
	back := r.Referer()
	if browser {
		var ok bool
		if admin, ok = s.identityAdminOf(q.Get("as")); !ok {
			s.renderChooser(w, r)
			return
		}
		if b := q.Get("back"); b != "" {
			back = b
		}
	}
	offered, msg := s.offeredAccounts(admin, q)
	if msg == "" {
		msg = c.unreleasedRefusal(offered)
	}
	if msg != "" {
		if browser {
			s.refuseBrowser(w, r, msg)
			return
		}
		errorPage(w, msg)
		return
	}
	perms := offeredSets(s.accounts[offered[0]].Kind, q.Get("category_id_list"))
	pg := &pageState{id: randomString(16), component: c.AppID, preAuth: p.value, redirectURI: q.Get("redirect_uri"),
		bizAppID: q.Get("biz_appid"), user: user, accounts: offered, perms: perms, browser: browser, back: back}
	s.pages[pg.id] = pg
	choices := make([]accountChoice, len(offered))
	for i, id := range offered {
		choices[i] = accountChoice{AppID: id, Label: s.accountLabel(id)}
	}
	renderPage(w, http.StatusOK, pageData{Kind: "bindcomponent", Title: "授权给第三方平台 / Authorize the platform", PageID: pg.id,
		Accounts: choices, Perms: permChoices(perms), Browser: browser})
}

// offeredAccounts is what the page offers a user who administers admin, or
// the text WeChat shows instead. Callers hold s.mu.
func (s *Server) offeredAccounts(admin []string, q url.Values) ([]string, string) {
	if biz := q.Get("biz_appid"); biz != "" {
		// biz_appid wins over auth_type: only that account may authorize.
		if !slices.Contains(admin, biz) || s.accounts[biz] == nil {
			return nil, textNotAdmin
		}
		return []string{biz}, ""
	}
	kinds := map[string][]string{"1": {"oa"}, "2": {"mp"}, "3": {"oa", "mp"}}[q.Get("auth_type")]
	if kinds == nil {
		return nil, textBadParams
	}
	var offered []string
	for _, id := range admin {
		if a := s.accounts[id]; a != nil && slices.Contains(kinds, a.Kind) {
			offered = append(offered, id)
		}
	}
	if len(offered) == 0 {
		return nil, textNoAccounts
	}
	return offered, ""
}

// offeredSets narrows the account kind's sets to category_id_list ("2|3|24").
func offeredSets(kind, list string) []int {
	all := oaSets
	if kind == "mp" {
		all = mpSets
	}
	if list == "" {
		return slices.Clone(all)
	}
	var out []int
	for _, f := range strings.Split(list, "|") {
		if id, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && slices.Contains(all, id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return slices.Clone(all)
	}
	slices.Sort(out)
	return out
}

// handleBindConfirm is the admin tapping 授权 on the phone.
func (s *Server) handleBindConfirm(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		errorPage(w, textBadParams)
		return
	}
	s.mu.Lock()
	pg := s.pages[r.PostForm.Get("page")]
	if pg == nil || pg.user != r.Header.Get(phoneHeader) {
		s.mu.Unlock()
		errorPage(w, textBadParams)
		return
	}
	if pg.browser && r.PostForm.Get("do") == "cancel" {
		delete(s.pages, pg.id)
		s.mu.Unlock()
		s.cancelBrowser(w, r, pg)
		return
	}
	appid := r.PostForm.Get("appid")
	if appid == "" {
		appid = pg.accounts[0]
	}
	p := s.preAuth[pg.preAuth]
	switch {
	case p == nil || p.usedBy != "" || !s.clk.Now().Before(p.expires):
		// Single use, across accounts too (§1.5).
		s.mu.Unlock()
		errorPage(w, textExpired)
		return
	case !slices.Contains(pg.accounts, appid):
		s.mu.Unlock()
		errorPage(w, textNotAdmin)
		return
	}
	var granted []int
	acct := s.accounts[appid]
	for _, v := range r.PostForm["perm"] {
		id, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(pg.perms, id) {
			continue
		}
		if wechat.ExclusiveSet(id) && slices.Contains(acct.HeldElsewhere, id) {
			continue // held by another platform: not granted to this one
		}
		granted = append(granted, id)
	}
	slices.Sort(granted)
	p.usedBy = appid
	infoType := s.grant(pg.component, appid, granted)
	code := s.newAuthCode(pg.component, appid)
	now := s.clk.Now()
	// Nobody follows a browser's redirect for the held-back push, so a
	// browser's confirmation always pushes first.
	pushFirst := s.pushFirst || pg.browser
	comp := pg.component
	push := func() {
		if infoType == "" {
			return
		}
		if err := s.push(comp, authEventXML(comp, infoType, appid, code.value, code.expires, p.value, now)); err != nil {
			s.logf("wechatsim: %s push: %v", infoType, err)
		}
	}
	if !pushFirst {
		pg.pending = push
	}
	sep := "?"
	if strings.Contains(pg.redirectURI, "?") {
		sep = "&"
	}
	target := pg.redirectURI + sep + "auth_code=" + url.QueryEscape(code.value) + "&expires_in=" + strconv.Itoa(int(AuthCodeLifetime/time.Second))
	s.mu.Unlock()
	if pushFirst {
		push()
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// grant records an authorization and says which event announces it:
// "authorized" for a new one, "updateauthorized" when the sets changed, ""
// when nothing changed. Re-authorizing invalidates the account's current
// authorizer tokens. Callers hold s.mu.
func (s *Server) grant(comp, appid string, sets []int) string {
	k := authKey{comp, appid}
	a := s.auths[k]
	for _, t := range s.tokens {
		if t.kind == kindAuthorizer && t.appid == appid && t.component == comp {
			t.revoked = true
		}
	}
	if a == nil || a.revoked {
		s.auths[k] = &authorization{funcIDs: sets, refreshToken: "refreshtoken@@@" + randomString(43), authTime: s.clk.Now()}
		return "authorized"
	}
	if slices.Equal(a.funcIDs, sets) {
		return ""
	}
	a.funcIDs = sets
	return "updateauthorized"
}
