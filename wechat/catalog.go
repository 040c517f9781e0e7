package wechat

import (
	"errors"
	"net"
	"regexp"
	"slices"
	"strings"
)

// The error catalogue turns WeChat's codes into a meaning and a remedy an
// Official Account administrator can act on, in Simplified Chinese and in
// English, and says whose job the remedy is.

// Lang selects the catalogue's language.
type Lang string

const (
	LangZH Lang = "zh-Hans"
	LangEN Lang = "en"
)

// Owner is who can fix an error.
type Owner int

const (
	OwnerAdmin     Owner = iota // the account's administrator, in WeChat's back office
	OwnerVendor                 // us: the platform's configuration or server
	OwnerRetry                  // nobody: it passes; the product retries by itself
	OwnerDeveloper              // an engineer: a bug or a code-level setting
)

func (o Owner) String() string {
	return [...]string{"admin", "vendor", "retry", "developer"}[o]
}

// Advice is what the product shows for an error.
type Advice struct {
	Code                 int
	Meaning              string // one line
	Remedy               string // what to do, and where
	Owner                Owner
	IP                   string // 40164 / 61004: the address WeChat saw
	RID                  string
	Known                bool
	Retryable            bool
	NeedsReauthorization bool
}

type entry struct {
	owner         Owner
	retry, reauth bool
	zh, zhFix     string
	en, enFix     string
}

// Explain looks code up. Unknown codes still get a usable answer that
// carries the code and the request id for support.
func Explain(code int, errmsg, rid string, lang Lang) Advice {
	a := Advice{Code: code, RID: rid}
	if rid == "" {
		if e := newAPIError(code, errmsg); e.RID != "" {
			a.RID = e.RID
		}
	}
	e, ok := catalog[code]
	if !ok {
		a.Owner = OwnerVendor
		if lang == LangEN {
			a.Meaning = "WeChat returned an error we don't recognise."
			a.Remedy = "Contact your customer-success contact; they can read the specifics under the details for staff."
		} else {
			a.Meaning = "微信返回了一个未收录的错误。"
			a.Remedy = "请联系你的客户成功经理，他们能在“技术细节”里看到具体原因。"
		}
		return a
	}
	a.Known, a.Owner, a.Retryable, a.NeedsReauthorization = true, e.owner, e.retry, e.reauth
	a.Meaning, a.Remedy = e.zh, e.zhFix
	if lang == LangEN {
		a.Meaning, a.Remedy = e.en, e.enFix
	}
	if code == 40164 || code == 61004 {
		a.IP = ipFrom(errmsg)
		// Without an address from WeChat the sentence names whose address
		// it is, never an empty gap.
		if a.IP != "" {
			a.Remedy = strings.ReplaceAll(a.Remedy, "{ip}", "IP "+a.IP)
		} else {
			words := unnamedIP[code][langOr(lang)]
			if langOr(lang) == LangZH {
				// The space sets off a Latin address from the Chinese
				// around it; words need none.
				a.Remedy = strings.NewReplacer(" {ip} ", words, " {ip}", words, "{ip} ", words).Replace(a.Remedy)
			}
			a.Remedy = strings.ReplaceAll(a.Remedy, "{ip}", words)
		}
	}
	return a
}

// unnamedIP names the address when WeChat's answer does not carry it.
var unnamedIP = map[int]map[Lang]string{
	40164: {LangZH: "服务商服务器的 IP（客户成功经理可以告诉你）", LangEN: "the vendor server's IP (your customer-success contact can tell you which)"},
	61004: {LangZH: "其服务器的 IP", LangEN: "its server's IP"},
}

func langOr(l Lang) Lang {
	if l == LangEN {
		return LangEN
	}
	return LangZH
}

// ipRE finds the caller address in "requestIP: 1.2.3.4" and "invalid ip
// 8.149.1.2 ipv6 ::ffff:8.149.1.2, not in whitelist".
var ipRE = regexp.MustCompile(`(?i)(?:requestIP:|invalid ip)\s*([0-9a-f:.]+)`)

func ipFrom(msg string) string {
	m := ipRE.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	ip := strings.TrimRight(m[1], ",.")
	if net.ParseIP(ip) == nil {
		return ""
	}
	return ip
}

// Advice explains the error in lang.
func (e *APIError) Advice(lang Lang) Advice { return Explain(e.Code, e.Msg, e.RID, lang) }

// Describe is one user-facing paragraph for any error: meaning and remedy
// in words. WeChat's code and request id are for staff, who read them in
// the error itself (Error), never in the admin's sentence.
func Describe(err error, lang Lang) string {
	var ae *APIError
	if errors.As(err, &ae) {
		a := ae.Advice(lang)
		if lang == LangEN {
			return a.Meaning + " " + a.Remedy
		}
		return a.Meaning + a.Remedy
	}
	if err == nil {
		return ""
	}
	if lang == LangEN {
		return "Could not get an answer from WeChat. Check the network connection and try again; if it keeps failing, contact your customer-success contact."
	}
	return "没有收到微信的回应。请检查网络后重试；如果一直失败，请联系你的客户成功经理。"
}

// Codes lists every code the catalogue explains, so callers can show each
// one as the admin would read it.
func Codes() []int {
	out := make([]int, 0, len(catalog))
	for c := range catalog {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
