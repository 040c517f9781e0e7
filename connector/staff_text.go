package connector

import (
	"fmt"
	"net/http"
	"strings"
)

// The console's own words, Simplified Chinese first and English second;
// staff choose with the toggle (a cookie) or their browser's language.
var staffTexts = map[string]map[string]string{
	"zh-Hans": {
		"title":                     "客户成功控制台",
		"other_language":            "English",
		"signed_in_as":              "已登录：",
		"sign_out":                  "退出登录",
		"signin.title":              "员工登录",
		"signin.token":              "员工令牌",
		"signin.hint":               "令牌由管理员用 connector staff create 创建；它只用于本控制台。",
		"signin.button":             "登录",
		"signin.wrong":              "令牌无效或已吊销。",
		"signin.busy":               "尝试次数过多，请 %d 秒后再试。",
		"link.text":                 "点击下面的按钮，用这条一次性链接登录。",
		"link.used":                 "这条登录链接已用过或已过期。请在向导的帮助菜单里重新打开控制台。",
		"find.title":                "查找客户",
		"find.code":                 "支持码",
		"find.placeholder":          "例如 7K3QDM-9XPAHR",
		"find.button":               "打开实时视图",
		"find.hint":                 "请客户在向导的「帮助」菜单中读出支持码。",
		"find.unknown":              "没有找到这个支持码，或它已过期。请客户再读一遍，或在向导中重新打开帮助菜单获取新码。",
		"find.busy":                 "查找次数过多，请 %d 秒后再试。",
		"health.title":              "连接器状态",
		"health.ticket":             "推送票据 component_verify_ticket",
		"health.ticket.ok":          "已收到（%s前）",
		"health.ticket.stale":       "已超过 12 小时未收到新票据（%s前）：检查授权事件接收 URL",
		"health.ticket.stalled":     "微信的推送停了（上次%s前）：已提醒运维，检查授权事件接收 URL",
		"health.ticket.waiting":     "尚未收到：微信每 10 分钟推送一次到授权事件接收 URL",
		"health.ticket.unknown":     "未知：连接器的数据库无法读取",
		"health.wechat":             "微信是否接受本服务器？",
		"health.wechat.ok":          "接受",
		"health.ip":                 "微信看到的本服务器 IP",
		"reason.ticket_missing":     "还在等待 component_verify_ticket",
		"reason.ip_not_whitelisted": "微信拒绝本服务器的 IP：请在开放平台「白名单IP地址列表」中加入它（供应商的修复）",
		"reason.unreachable":        "本服务器连不上微信的接口（网络或 DNS）",
		"reason.wechat_busy":        "微信繁忙，稍后会重试",
		"reason.wechat_error":       "微信返回了错误 %d",
		"reason.store_unavailable":  "连接器的数据库无法使用",
		"reason.internal_error":     "连接器内部错误，详情见连接器日志",
		"projects.title":            "项目与公众号",
		"projects.revoked":          "（令牌已吊销）",
		"projects.none":             "还没有项目：用 connector token create 创建。",
		"projects.no_accounts":      "还没有授权的账号。",
		"acc.account":               "账号",
		"acc.state":                 "授权状态",
		"acc.granted":               "已授权的权限集",
		"acc.missing":               "缺少的权限集",
		"acc.active":                "已授权",
		"acc.revoked":               "已取消授权",
		"acc.needs_reauthorization": "需要重新扫码授权",
		"acc.no_refresh_token":      "授权不完整，需要重新扫码",
		"acc.unknown":               "未知",
		"view.title":                "客户实时视图",
		"view.project":              "项目",
		"view.updated":              "更新于",
		"view.expires":              "支持码有效至",
		"view.off":                  "客户已在向导的设置中关闭了共享：这里不显示检查和进度。请客户在「设置」中打开「与支持人员共享进度」。",
		"view.step":                 "当前步骤：",
		"checks.title":              "检查",
		"checks.none":               "向导还没有运行检查。",
		"status.pass":               "通过",
		"status.warning":            "注意",
		"status.fail":               "未通过",
		"status.unknown":            "未知",
		"sync.title":                "粉丝同步",
		"sync.none":                 "还没有同步。",
		"sync.running":              "正在同步：已存 %s 位粉丝，其中 %s 位有 unionid。",
		"sync.done":                 "已完成：共 %s 位粉丝，其中 %s 位有 unionid。",
		"sync.stopped":              "在 %s 位粉丝处停止（%s 位有 unionid）。",
		"sync.stopped_total":        "在 %s / %s 位粉丝处停止（%s 位有 unionid）。",
		"duration.s":                "%d 秒",
		"duration.m":                "%d 分钟",
		"duration.h":                "%d 小时",
		"perm.set":                  "权限集 %d",
		"perm.1":                    "消息管理",
		"perm.2":                    "用户管理",
		"perm.3":                    "账号服务",
		"perm.24":                   "开放平台账号管理",
		"list.sep":                  "、",
	},
	"en": {
		"title":                     "Customer success console",
		"other_language":            "中文",
		"signed_in_as":              "Signed in as",
		"sign_out":                  "Sign out",
		"signin.title":              "Staff sign-in",
		"signin.token":              "Staff token",
		"signin.hint":               "An operator creates tokens with connector staff create; a token opens this console only.",
		"signin.button":             "Sign in",
		"signin.wrong":              "The token is not valid or was revoked.",
		"signin.busy":               "Too many attempts; try again in %d seconds.",
		"link.text":                 "Press the button to sign in with this one-time link.",
		"link.used":                 "This sign-in link was used already or has expired. Open the console again from the wizard's Help menu.",
		"find.title":                "Find a customer",
		"find.code":                 "Support code",
		"find.placeholder":          "e.g. 7K3QDM-9XPAHR",
		"find.button":               "Open the live view",
		"find.hint":                 "Ask the customer to read the support code from the wizard's Help menu.",
		"find.unknown":              "No live support code matches. Ask the customer to read it again, or to reopen the Help menu for a new one.",
		"find.busy":                 "Too many look-ups; try again in %d seconds.",
		"health.title":              "Connector health",
		"health.ticket":             "Ticket (component_verify_ticket)",
		"health.ticket.ok":          "received (%s ago)",
		"health.ticket.stale":       "no new ticket for over 12 hours (%s ago): check the authorization event URL",
		"health.ticket.stalled":     "WeChat's pushes stopped (last %s ago): operators are alerted; check the authorization event URL",
		"health.ticket.waiting":     "not received yet: WeChat pushes one every 10 minutes to the authorization event URL",
		"health.ticket.unknown":     "unknown: the connector's database cannot be read",
		"health.wechat":             "Does WeChat accept this server?",
		"health.wechat.ok":          "yes",
		"health.ip":                 "This server's IP as WeChat saw it",
		"reason.ticket_missing":     "still waiting for the component_verify_ticket",
		"reason.ip_not_whitelisted": "WeChat refuses this server's IP: add it to 白名单IP地址列表 (IP whitelist) in the Open Platform console (the vendor's fix)",
		"reason.unreachable":        "this server cannot reach WeChat's API (network or DNS)",
		"reason.wechat_busy":        "WeChat is busy; it will be tried again shortly",
		"reason.wechat_error":       "WeChat answered error %d",
		"reason.store_unavailable":  "the connector's database cannot be used",
		"reason.internal_error":     "internal error of the connector; its log has the detail",
		"projects.title":            "Projects and accounts",
		"projects.revoked":          "(token revoked)",
		"projects.none":             "No projects yet: create one with connector token create.",
		"projects.no_accounts":      "No account authorized yet.",
		"acc.account":               "Account",
		"acc.state":                 "Authorization",
		"acc.granted":               "Permission sets granted",
		"acc.missing":               "Permission sets missing",
		"acc.active":                "authorized",
		"acc.revoked":               "authorization cancelled",
		"acc.needs_reauthorization": "needs a new scan",
		"acc.no_refresh_token":      "incomplete, needs a new scan",
		"acc.unknown":               "unknown",
		"view.title":                "Customer live view",
		"view.project":              "Project",
		"view.updated":              "updated",
		"view.expires":              "support code valid until",
		"view.off":                  "The customer turned sharing off in the wizard's settings: no checks or progress are shown. Ask them to turn on 与支持人员共享进度 (Share progress with support) in Settings.",
		"view.step":                 "Current step:",
		"checks.title":              "Checks",
		"checks.none":               "The wizard has not run its checks yet.",
		"status.pass":               "Pass",
		"status.warning":            "Note",
		"status.fail":               "Fail",
		"status.unknown":            "Unknown",
		"sync.title":                "Follower sync",
		"sync.none":                 "Not synced yet.",
		"sync.running":              "Syncing: %s followers stored so far, %s with a unionid.",
		"sync.done":                 "Complete: %s followers, %s with a unionid.",
		"sync.stopped":              "Stopped at %s followers (%s with a unionid).",
		"sync.stopped_total":        "Stopped at %s of %s followers (%s with a unionid).",
		"duration.s":                "%d s",
		"duration.m":                "%d min",
		"duration.h":                "%d h",
		"perm.set":                  "permission set %d",
		"perm.1":                    "消息管理 (messages)",
		"perm.2":                    "用户管理 (users)",
		"perm.3":                    "账号服务 (account services)",
		"perm.24":                   "开放平台账号管理 (Open Platform account)",
		"list.sep":                  ", ",
	},
}

// staffLang picks the console's language: the toggle's cookie, else the
// first of the browser's languages the console has, else Chinese.
func staffLang(r *http.Request) string {
	if c, err := r.Cookie(staffLangCookie); err == nil && staffTexts[c.Value] != nil {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-Hans"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "zh-Hans"
}

// tr is the console's translator for one language.
type tr string

func (l tr) t(key string, args ...any) string {
	s, ok := staffTexts[string(l)][key]
	if !ok {
		s = staffTexts["zh-Hans"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// thousands writes a number with thousands separators, as both languages do.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
