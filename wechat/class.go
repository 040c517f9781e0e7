package wechat

import (
	"errors"
	"strings"
)

// Class is what a WeChat code means for whoever meets it: wait and retry,
// stop for the day, ask the admin to authorize again, or stop because the
// account cannot (or may not) do this. Every reader of a code (the sync, the
// connector, the wizard) asks ClassOf, so a code has one meaning everywhere.
type Class int

const (
	// ClassOther needs a change by the code's Owner (a setting, a binding,
	// a program error); nothing retries it.
	ClassOther Class = iota
	// ClassRetrySoon passes by itself: retry after a short backoff
	// (-1 system busy, a token that lost a race with its refresh).
	ClassRetrySoon
	// ClassRetryMinute is the per-minute frequency limit: retry at the
	// next minute.
	ClassRetryMinute
	// ClassDailyQuota is the day's call quota, spent: continue after
	// midnight Beijing time (or after the owner resets it).
	ClassDailyQuota
	// ClassReauthorize means the authorization no longer holds: only the
	// admin scanning the QR code again can restore it.
	ClassReauthorize
	// ClassNotPermitted means the authorization holds but does not reach
	// this API: the account is not verified, or the permission set was
	// not granted (or is held by another platform).
	ClassNotPermitted
	// ClassVendor is the platform's own configuration, ticket or quota:
	// the vendor fixes it, the admin has nothing to change.
	ClassVendor
	// ClassAccountLimited means WeChat limited or banned the account
	// itself; authorizing again cannot help.
	ClassAccountLimited
)

var classNames = [...]string{"other", "retry_soon", "retry_minute", "daily_quota", "reauthorize", "not_permitted", "vendor", "account_limited"}

func (c Class) String() string { return classNames[c] }

// ClassOf is the class of code; codes the catalogue does not hold are
// ClassOther: an unknown code is never taken for one that passes.
func ClassOf(code int) Class {
	if e, ok := catalog[code]; ok {
		return e.class
	}
	return ClassOther
}

// ClassOfError is the class of the *APIError err carries, read with the
// API that answered: a daily quota spent on the platform's own token call
// is the vendor's quota, not the account's. ok is false when err carries
// no WeChat code.
func ClassOfError(err error) (c Class, ok bool) {
	var ae *APIError
	if !errors.As(err, &ae) {
		return ClassOther, false
	}
	return ae.class(), true
}

func (e *APIError) class() Class {
	c := ClassOf(e.Code)
	if c == ClassDailyQuota && componentPath(e.Path) {
		return ClassVendor
	}
	return c
}

// componentPath reports whether path is one of the platform's own calls
// (component_access_token and the calls made with it), whose quota is
// the platform's (reference §1.4: api_component_token lists 45009).
func componentPath(path string) bool {
	return strings.HasPrefix(path, "/cgi-bin/component/")
}
