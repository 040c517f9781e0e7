// Package flow is the wizard's logic in plain Go: the steps and what moves
// between them, the checks, the authorization loop and the sync, all testable
// without a window. The ui package draws it; cmd/wizard wires it up.
package flow

import (
	"errors"
	"strings"
)

// AppID problems, each with its own message in the UI.
var (
	ErrAppIDEmpty    = errors.New("flow: appid is empty")
	ErrAppIDPrefix   = errors.New("flow: appid must start with wx")
	ErrAppIDLength   = errors.New("flow: appid must be wx + 16 characters")
	ErrAppIDChars    = errors.New("flow: appid may hold only 0-9 and a-f after wx")
	ErrAppIDSame     = errors.New("flow: mini-program appid equals the official account's")
	ErrAppIDRepeated = errors.New("flow: the same mini-program appid twice")
)

// NormalizeAppID trims what copy-paste from the WeChat back office tends to
// bring along: spaces, full-width spaces, a "AppID:" label, quotes.
func NormalizeAppID(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\u3000", " "))
	for _, label := range []string{"AppID(小程序ID)", "AppID(公众号ID)", "AppID", "appid", "小程序ID", "公众号ID"} {
		if rest, ok := strings.CutPrefix(s, label); ok {
			s = strings.TrimLeft(rest, " :：")
			break
		}
	}
	s = strings.Trim(s, " \"'“”‘’")
	return strings.ToLower(s)
}

// ValidateAppID checks the shape WeChat gives every AppID: "wx" and 16
// lowercase hex digits.
func ValidateAppID(s string) error {
	switch {
	case s == "":
		return ErrAppIDEmpty
	case !strings.HasPrefix(s, "wx"):
		return ErrAppIDPrefix
	case len(s) != 18:
		return ErrAppIDLength
	}
	for _, r := range s[2:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return ErrAppIDChars
		}
	}
	return nil
}

// ValidateAccounts checks step 1's inputs together.
func ValidateAccounts(oa string, mps []string) error {
	if err := ValidateAppID(oa); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, mp := range mps {
		if err := ValidateAppID(mp); err != nil {
			return err
		}
		if mp == oa {
			return ErrAppIDSame
		}
		if seen[mp] {
			return ErrAppIDRepeated
		}
		seen[mp] = true
	}
	return nil
}
