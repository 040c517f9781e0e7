package wechat

import (
	"errors"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The error catalogue turns WeChat's codes into a class (class.go), a
// meaning and a remedy an Official Account administrator can act on, in
// Simplified Chinese and in English (the translation files), and says whose
// job the remedy is.

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
	Class                Class
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
	class Class
	owner Owner
}

// Explain looks code up. Unknown codes still get a usable answer that
// carries the code and the request id for support.
func Explain(code int, errmsg, rid string, lang Lang) Advice {
	e := newAPIError(code, errmsg)
	if rid != "" {
		e.RID = rid
	}
	return explain(e, lang)
}

func explain(ae *APIError, lang Lang) Advice {
	a := Advice{Code: ae.Code, RID: ae.RID}
	e, ok := catalog[ae.Code]
	if !ok {
		a.Owner = OwnerVendor
		a.Meaning, a.Remedy = text(lang, "wechat.unknown.meaning"), text(lang, "wechat.unknown.remedy")
		return a
	}
	a.Known, a.Class, a.Owner = true, ae.class(), e.owner
	a.Retryable = a.Class == ClassRetrySoon || a.Class == ClassRetryMinute
	a.NeedsReauthorization = a.Class == ClassReauthorize
	key := "wechat.code." + strconv.Itoa(ae.Code)
	if a.Class != e.class {
		// The same code said by the platform's own calls: its own words
		// (45009 on api_component_token is the vendor's quota).
		key += ".component"
		a.Owner = OwnerVendor
	}
	a.Meaning, a.Remedy = text(lang, key+".meaning"), text(lang, key+".remedy")
	if ae.Code == 40164 || ae.Code == 61004 {
		a.IP = RequestIP(ae.Msg)
		// Without an address from WeChat the sentence names whose address
		// it is, never an empty gap.
		if a.IP != "" {
			a.Remedy = strings.ReplaceAll(a.Remedy, "{ip}", "IP "+a.IP)
		} else {
			words := text(lang, "wechat.ip.unnamed."+strconv.Itoa(ae.Code))
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

func langOr(l Lang) Lang {
	if l == LangEN {
		return LangEN
	}
	return LangZH
}

// ipRE finds the caller address in "requestIP: 1.2.3.4" and "invalid ip
// 8.149.1.2 ipv6 ::ffff:8.149.1.2, not in whitelist".
var ipRE = regexp.MustCompile(`(?i)(?:requestIP:?|invalid ip)\s*([0-9a-f:.]+)`)

// RequestIP is the caller address WeChat names in a 61004 or 40164
// message, or "" when it names none: the one reading of that message.
func RequestIP(msg string) string {
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
func (e *APIError) Advice(lang Lang) Advice { return explain(e, lang) }

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
	return text(lang, "wechat.no_answer")
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
