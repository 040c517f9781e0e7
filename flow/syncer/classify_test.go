package syncer

import (
	"testing"

	"oawizard/wechat"
)

// Every code the catalogue holds reaches the sync with the catalogue's
// class, from a user API and from the platform's own calls: the sync keeps
// no table of its own.
func TestClassifyReadsTheCatalogueForEveryCode(t *testing.T) {
	want := map[wechat.Class]errClass{
		wechat.ClassRetrySoon:      classTransient,
		wechat.ClassRetryMinute:    classMinute,
		wechat.ClassDailyQuota:     classDaily,
		wechat.ClassReauthorize:    classRevoked,
		wechat.ClassNotPermitted:   classNotPermitted,
		wechat.ClassVendor:         classFatal,
		wechat.ClassAccountLimited: classFatal,
		wechat.ClassOther:          classFatal,
	}
	for _, code := range append(wechat.Codes(), 99999) {
		for _, path := range []string{"/cgi-bin/user/info/batchget", "/cgi-bin/component/api_component_token"} {
			err := &wechat.APIError{Code: code, Path: path}
			c, _ := wechat.ClassOfError(err)
			if got := classify(err); got != want[c] {
				t.Errorf("%d on %s: class %s, sync reads %d, want %d", code, path, c, got, want[c])
			}
		}
	}
	// The codes the sync once read its own way.
	for code, w := range map[int]errClass{50002: classFatal, 61007: classNotPermitted, 50001: classNotPermitted,
		61003: classRevoked, 61010: classRevoked, 42007: classRevoked, 45009: classDaily} {
		if got := classify(&wechat.APIError{Code: code}); got != w {
			t.Errorf("%d: %d, want %d", code, got, w)
		}
	}
}

// The relay's refusals read by their kind: 409 is a lost authorization, a
// 403 naming no_api_permission an account without API rights (not one to
// scan again), any other 403 a failure.
func TestClassifyReadsTheRelaysRefusals(t *testing.T) {
	for _, c := range []struct {
		he   wechat.HTTPError
		want errClass
	}{
		{wechat.HTTPError{Status: 409, Body: `{"error":"needs_reauthorization"}`}, classRevoked},
		{wechat.HTTPError{Status: 403, Body: `{"error":"no_api_permission","message":"x"}`}, classNotPermitted},
		{wechat.HTTPError{Status: 403, Body: `{"error":"forbidden"}`}, classFatal},
	} {
		if got := classify(&c.he); got != c.want {
			t.Errorf("%d %s: %d, want %d", c.he.Status, c.he.Body, got, c.want)
		}
	}
}
