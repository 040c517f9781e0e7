package connector

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"oawizard/connector/api"
	"oawizard/wechat"
)

// The pages a phone or a desktop browser sees: the landing page the QR code
// opens, the PC hand-off page, and the callback's "done" page. Chinese first,
// English under it, because the admin's WeChat is usually set to Chinese.

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{if .Forward}}<meta http-equiv="refresh" content="1;url={{.Forward}}">{{end}}
<title>{{.Title}}</title>
<style>body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;text-align:center;color:#222}
.code{font-size:2.2em;letter-spacing:.2em;font-weight:bold;margin:.4em 0}.en{color:#777;font-size:.9em}
a.btn{display:inline-block;margin-top:1em;padding:.7em 1.4em;background:#07c160;color:#fff;border-radius:6px;text-decoration:none}</style>
</head><body>
<h2>{{.Title}}</h2>
{{if .Code}}<div>核对码 / Session code</div><div class="code">{{.Code}}</div>{{end}}
<p>{{.Text}}</p><p class="en">{{.TextEN}}</p>
{{if .Link}}<a class="btn" href="{{.Link}}">{{.LinkText}}</a>{{end}}
</body></html>`))

type page struct {
	Title, Code, Text, TextEN, Forward, Link, LinkText string
}

func renderPage(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "origin") // WeChat checks the Referer's host
	w.WriteHeader(status)
	pageTmpl.Execute(w, p)
}

// handleLanding is what the QR code opens. It forwards the phone to WeChat's
// H5 authorization page with the session's pre_auth_code (reused while it
// is fresh and unused). A second visit from the browser that was handed
// off, without a confirmation, means the admin backed out: the session
// becomes cancelled and the page offers to try again; another phone
// scanning the same code just goes on (visitor.go). A visit that never reached WeChat (busy,
// still starting) changes nothing, so scanning again simply continues.
func (s *Server) handleLanding(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	x, err := s.st.SessionByCode(ctx, strings.ToUpper(r.PathValue("code")))
	if err == nil {
		x, err = s.loadSession(ctx, x.ID)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		s.log.Warn("landing page failed", "reason", ReasonStoreUnavailable, "err", err.Error())
		busyPage(w, "")
		return
	}
	if err != nil {
		renderPage(w, http.StatusNotFound, page{Title: "二维码无效", Text: "这个二维码不存在。请回到电脑上的向导重新获取二维码。",
			TextEN: "This QR code is unknown. Go back to the wizard on your computer for a new one."})
		return
	}
	switch x.Status {
	case api.StatusExpired:
		renderPage(w, http.StatusGone, page{Title: "二维码已过期", Code: x.Code, Text: "向导会自动换一个新的二维码，请扫描电脑屏幕上的新二维码。",
			TextEN: "The wizard shows a new QR code by itself; scan the new one on your computer screen."})
		return
	case api.StatusAuthorized, api.StatusWrongAccount, api.StatusFailed:
		s.donePage(w, x)
		return
	}
	q := r.URL.Query()
	pc, again := q.Get("pc") == "1", q.Get("again") == "1"
	if !pc && !strings.Contains(r.UserAgent(), "MicroMessenger") {
		// WeChat's H5 page works only inside WeChat; a desktop browser
		// gets the PC page, whose QR code the admin scans in WeChat.
		renderPage(w, http.StatusOK, page{Title: "请在微信中打开", Code: x.Code,
			Text:   "这个链接需要用微信扫码打开。如果你在电脑上，请点击下方按钮，用公众号管理员的微信扫描下一页的二维码。",
			TextEN: "Open this link by scanning it in WeChat. On a computer, use the button below and scan the next page's QR code with the administrator's WeChat.",
			Link:   s.cfg.PublicURL + "/a/" + x.Code + "?pc=1", LinkText: "在电脑上继续 / Continue on this computer"})
		return
	}
	if !pc && x.Status == api.StatusScanned && !again && s.returningVisitor(r, x) {
		x, err = s.updateSession(ctx, x.ID, func(x *Session) bool {
			if x.Status != api.StatusScanned {
				return false
			}
			x.Status = api.StatusCancelled
			return true
		})
		if err != nil {
			s.landingFailure(w, x, err)
			return
		}
		renderPage(w, http.StatusOK, page{Title: "授权未完成", Code: x.Code,
			Text: "你没有在微信里确认授权。如需继续，请点击下方按钮。", TextEN: "You did not confirm in WeChat. Tap below to try again.",
			Link: s.cfg.PublicURL + "/a/" + x.Code + "?again=1", LinkText: "继续授权 / Continue"})
		return
	}
	pre, err := s.preAuthCode(ctx, x, false)
	if err == nil {
		x, err = s.updateSession(ctx, x.ID, func(x *Session) bool {
			if !open(x.Status) {
				return false
			}
			x.Visits++
			if !pc {
				x.Status = api.StatusScanned
			}
			return true
		})
	}
	if err != nil {
		s.landingFailure(w, x, err)
		return
	}
	if !pc {
		s.markVisitor(w, x)
	}
	target := s.authURL(pre, x, pc)
	title, text, en := "正在打开微信授权页面…", "请在下一页选择公众号并点击“授权”。", "On the next page, pick the Official Account and tap Authorize."
	if pc {
		text, en = "请用公众号管理员的微信扫描下一页的二维码。", "Scan the QR code on the next page with the administrator's WeChat."
	}
	renderPage(w, http.StatusOK, page{Title: title, Code: x.Code, Text: text, TextEN: en, Forward: target, Link: target, LinkText: "继续 / Continue"})
}

// authURL is WeChat's authorization page for this visit: the H5 page for a
// phone, the PC page for a desktop browser (reached from this page, so its
// Referer is on the 授权发起页域名).
func (s *Server) authURL(preAuth string, x Session, pc bool) string {
	sets := make([]string, len(s.cfg.PermissionSets))
	for i, id := range s.cfg.PermissionSets {
		sets[i] = strconv.Itoa(id)
	}
	q := url.Values{
		"component_appid":  {s.cfg.ComponentAppID},
		"pre_auth_code":    {preAuth},
		"redirect_uri":     {s.cfg.PublicURL + "/wechat/callback?s=" + x.ID},
		"biz_appid":        {x.ExpectedAppID},
		"category_id_list": {strings.Join(sets, "|")},
	}
	if pc {
		return s.cfg.MPBase + "/cgi-bin/componentloginpage?" + q.Encode()
	}
	q.Set("action", "bindcomponent")
	q.Set("no_scan", "1")
	return s.cfg.OpenBase + "/wxaopen/safe/bindcomponent?" + q.Encode() + "#wechat_redirect"
}

// landingFailure explains on the phone why WeChat's page cannot be opened,
// and fails the session when waiting will not help.
func (s *Server) landingFailure(w http.ResponseWriter, x Session, err error) {
	cause := s.ticketCause(err)
	s.log.Warn("landing page failed", "session", x.ID, "reason", cause.Reason, "err", err.Error())
	switch cause.Reason {
	case ReasonClientGone:
		return
	case ReasonTicketMissing:
		renderPage(w, http.StatusServiceUnavailable, page{Title: "服务正在启动", Code: x.Code,
			Text:   "服务刚刚启动，正在等待微信的授权凭证（最多 10 分钟）。请稍后重新扫码。",
			TextEN: "The service has just started and is waiting for WeChat's ticket (up to 10 minutes). Scan again shortly."})
		return
	case ReasonTicketStalled:
		s.ticketStalled(cause.Message)
		renderPage(w, http.StatusServiceUnavailable, page{Title: "暂时无法授权", Code: x.Code,
			Text:   "服务商的服务器没有收到微信的通知，暂时无法授权。这不是你的问题，服务商的客户成功团队已收到提醒。请稍后重新扫码。",
			TextEN: "The vendor's server is not receiving WeChat's notices, so authorization cannot start now. This is not your fault; the vendor's customer-success team has been alerted. Scan again later."})
		return
	case ReasonWeChatBusy:
		renderPage(w, http.StatusServiceUnavailable, page{Title: "微信繁忙", Code: x.Code,
			Text: "微信暂时繁忙，请稍等片刻后重新扫描电脑上的二维码。", TextEN: "WeChat is busy right now. Wait a moment and scan the QR code on your computer again."})
		return
	case ReasonStoreUnavailable:
		busyPage(w, x.Code)
		return
	case ReasonUnreachable:
		// The vendor's side is down: waiting may help, so the session
		// stays open, but the admin should know it is not WeChat.
		renderPage(w, http.StatusServiceUnavailable, page{Title: "暂时无法授权", Code: x.Code,
			Text:   "服务商的服务器暂时连不上微信，这不是你的问题。请稍后重新扫码；如果一直如此，请告诉为你服务的客户成功经理。",
			TextEN: "The vendor's server cannot reach WeChat right now. This is not your fault; scan again later, and tell your customer-success contact if it persists."})
		return
	}
	reason := api.RefusalReason(wechat.ErrorCode(err))
	s.updateSession(context.WithoutCancel(context.Background()), x.ID, func(x *Session) bool {
		if !open(x.Status) {
			return false
		}
		x.Status, x.Reason = api.StatusFailed, reason
		return true
	})
	renderPage(w, http.StatusBadGateway, page{Title: "暂时无法授权", Code: x.Code,
		Text:   "服务商的服务器暂时无法连接微信，这不是你的问题。请告诉为你服务的客户成功经理。",
		TextEN: "The vendor's server cannot reach WeChat right now. This is not your fault; tell your customer-success contact."})
}

// handleCallback is redirect_uri: WeChat sends the phone here with the code.
// Only a live session whose landing page handed the admin to WeChat and that
// still waits may be completed here, and only by a code no other session
// claimed; anything else is answered without a write or a WeChat call.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code, id := q.Get("auth_code"), q.Get("s")
	if code == "" || len(code) > 512 || id == "" || len(id) > 64 {
		renderPage(w, http.StatusBadRequest, page{Title: "授权未完成", Text: "微信没有返回授权结果，请回到电脑上的向导重新扫码。",
			TextEN: "WeChat returned no result. Go back to the wizard and scan again."})
		return
	}
	ctx := r.Context()
	x, err := s.st.Session(ctx, id)
	if err != nil {
		s.refuseCallback(w, r, Session{}, "unknown session", err)
		return
	}
	if !s.waiting(x) {
		if x.Status == api.StatusAuthorized || x.Status == api.StatusWrongAccount || x.Status == api.StatusFailed {
			// The push got there first, or the phone reloaded the page.
			s.donePage(w, x)
			return
		}
		s.refuseCallback(w, r, x, "session not waiting for a callback", nil)
		return
	}
	if owner, _, err := s.st.CodeClaim(ctx, codeHash(code)); err == nil && owner != x.ID {
		s.refuseCallback(w, r, x, "code claimed by another session", nil)
		return
	}
	client := clientKey(s.clientAddr(r))
	if wait, ok := s.codeRefusals.spent(client, x.ID); ok {
		s.log.Warn("callback refused", "request_id", infoOf(r).id, "session", x.ID, "reason", "too many refused codes")
		tooManyPage(w, wait)
		return
	}
	// The exchange outlives a phone that goes away mid-way.
	x, err = s.redeem(context.WithoutCancel(ctx), code, x.ID, true)
	if err != nil && storeFailure(err) {
		s.log.Warn("callback failed", "session", id, "reason", ReasonStoreUnavailable, "err", err.Error())
		busyPage(w, x.Code)
		return
	}
	if err != nil && wechat.ErrorCode(err) != 0 && open(x.Status) {
		// Made up, or stale: the session waits on for the real one.
		s.codeRefusals.note(client, x.ID)
		s.log.Warn("callback code refused by WeChat", "session", id, "errcode", wechat.ErrorCode(err))
		renderPage(w, http.StatusBadRequest, page{Title: "授权没有成功", Code: x.Code,
			Text:   "微信没有接受这个授权结果。请看电脑上的向导：如果它没有继续，请重新扫码。",
			TextEN: "WeChat did not accept this authorization result. Look at the wizard on your computer; if it does not go on, scan the QR code again."})
		return
	}
	s.forgetPreAuth(ctx, x.ID)
	if err != nil && x.Status != api.StatusAuthorized {
		s.log.Warn("callback failed", "session", id, "err", err.Error())
		renderPage(w, http.StatusBadGateway, page{Title: "授权没有成功", Code: x.Code,
			Text: "微信没有接受这次授权。请回到电脑上的向导，它会告诉你下一步。", TextEN: "WeChat did not accept this authorization. The wizard on your computer says what to do next."})
		return
	}
	s.donePage(w, x)
}

func (s *Server) refuseCallback(w http.ResponseWriter, r *http.Request, x Session, why string, err error) {
	if err != nil && !errors.Is(err, ErrNotFound) {
		s.log.Warn("callback refused", "request_id", infoOf(r).id, "reason", "store", "err", err.Error())
		busyPage(w, x.Code)
		return
	}
	s.log.Warn("callback refused", "request_id", infoOf(r).id, "session", x.ID, "reason", why)
	renderPage(w, http.StatusBadRequest, page{Title: "授权链接无效", Code: x.Code,
		Text:   "这个授权结果不属于一个正在等待的二维码。请回到电脑上的向导重新扫码。",
		TextEN: "This result does not belong to a QR code that is waiting. Go back to the wizard and scan again."})
}

// busyPage tells the phone the vendor's server cannot answer for a moment
// (its database is down or slow): nothing is wrong with the QR code, and
// scanning it again shortly goes on where it stopped.
func busyPage(w http.ResponseWriter, code string) {
	w.Header().Set("Retry-After", storeRetryAfter)
	renderPage(w, http.StatusServiceUnavailable, page{Title: "服务器繁忙", Code: code,
		Text:   "服务商的服务器暂时繁忙，这不是你的问题，二维码仍然有效。请稍等片刻后重新扫描电脑上的二维码。",
		TextEN: "The vendor's server is busy for a moment. This is not your fault and the QR code is still valid; wait a little and scan the QR code on your computer again."})
}

func (s *Server) donePage(w http.ResponseWriter, x Session) {
	switch x.Status {
	case api.StatusWrongAccount:
		renderPage(w, http.StatusOK, page{Title: "授权的不是这个公众号", Code: x.Code,
			Text: "你授权的账号与向导里填写的公众号不同。请回到电脑上，按向导提示重新扫码。", TextEN: "You authorized a different account than the wizard expects. Follow the wizard on your computer to scan again."})
	case api.StatusFailed:
		renderPage(w, http.StatusOK, page{Title: "授权没有成功", Code: x.Code,
			Text: "请回到电脑上的向导，它会告诉你下一步。", TextEN: "Go back to the wizard on your computer; it says what to do next."})
	default:
		renderPage(w, http.StatusOK, page{Title: "授权完成，请回到电脑", Code: x.Code,
			Text: "可以关闭这个页面了。电脑上的向导会自动继续。", TextEN: "Done. You can close this page; the wizard on your computer continues by itself."})
	}
}
