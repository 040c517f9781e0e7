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

// AppIDError says which input ("oa" or "mp") is wrong and how.
type AppIDError struct {
	Field string
	Err   error
}

func (e *AppIDError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *AppIDError) Unwrap() error { return e.Err }

// Reason is the problem's short name, for message keys.
func (e *AppIDError) Reason() string {
	switch e.Err {
	case ErrAppIDEmpty:
		return "empty"
	case ErrAppIDPrefix:
		return "prefix"
	case ErrAppIDLength:
		return "length"
	case ErrAppIDChars:
		return "chars"
	case ErrAppIDSame:
		return "same"
	}
	return "repeated"
}

// ValidateAccounts checks step 1's inputs together.
func ValidateAccounts(oa string, mps []string) error {
	if err := ValidateAppID(oa); err != nil {
		return &AppIDError{"oa", err}
	}
	seen := map[string]bool{}
	for _, mp := range mps {
		if err := ValidateAppID(mp); err != nil {
			return &AppIDError{"mp", err}
		}
		if mp == oa {
			return &AppIDError{"mp", ErrAppIDSame}
		}
		if seen[mp] {
			return &AppIDError{"mp", ErrAppIDRepeated}
		}
		seen[mp] = true
	}
	return nil
}
