package connector

import (
	"fmt"
	"net/http"
	"strings"

	"oawizard/assets"
)

// The console's own words live in assets/translations/staff.<locale>.json,
// Simplified Chinese first and English second, beside the wizard's, so a
// translator edits one kind of file; staff choose with the toggle (a cookie)
// or their browser's language. Keys carry the "staff." prefix there because
// the wizard merges every file into one catalogue.
var staffTexts, staffTextsErr = loadStaffTexts()

const staffKeyPrefix = "staff."

func loadStaffTexts() (map[string]map[string]string, error) {
	all := map[string]map[string]string{}
	for _, l := range []string{"zh-Hans", "en"} {
		m, err := assets.Texts("staff", l)
		if err != nil {
			return nil, err
		}
		words := map[string]string{}
		for k, v := range m {
			words[strings.TrimPrefix(k, staffKeyPrefix)] = v
		}
		all[l] = words
	}
	return all, nil
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

// has says whether the console has words for key, for keys built from a
// value (a reason, a status, a permission set) that may be new to it.
func (l tr) has(key string) bool {
	_, ok := staffTexts[string(l)][key]
	return ok
}

func (l tr) t(key string, args ...any) string {
	s, ok := staffTexts[string(l)][key]
	if !ok {
		// The files' key sets are tested equal, so a missing key is a
		// build mistake; it shows as the key rather than as nothing.
		s = key
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
