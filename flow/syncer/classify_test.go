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
