package ui

import (
	"context"
	"strings"
	"testing"

	"oawizard/demostack/loopback"
	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/wechat"
)

// Every failure the vendor must fix names whom to contact, in both
// languages; a failure the admin fixes does not send them to the vendor.
func TestVendorFailuresNameTheSupportContact(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	waitFor(t, "the contact", func() bool { return knownContact.Load() != nil })
	c := *knownContact.Load()
	if s := loopback.SampleSupport; c.Name != s.Name || c.Phone != s.Phone || c.URL != s.URL {
		t.Fatalf("learnt contact %+v, the demo's is %+v", c, loopback.SampleSupport)
	}
	for _, l := range []string{LangZH, LangEN} {
		// On the window's goroutine: a window still open renders with the
		// language.
		if err := onUI(func() error { _, err := SetupLanguage(l); return err }); err != nil {
			t.Fatal(err)
		}
		for _, k := range flow.VendorKinds() {
			got := errorText(&connclient.Error{Kind: k})
			for _, part := range []string{c.Name, c.Phone, c.URL} {
				if !strings.Contains(got, part) {
					t.Errorf("%s %s: %q does not name %q", l, k, got, part)
				}
			}
		}
		ip := &wechat.APIError{Code: 61004, Msg: "access clientip is not registered"}
		if got := errorText(ip); !strings.Contains(got, c.Name) {
			t.Errorf("%s: the platform's IP whitelist reads %q", l, got)
		}
		for _, e := range []error{&connclient.Error{Kind: flow.VendorKinds()[0] + "x"}, &wechat.APIError{Code: 48001}} {
			if got := errorText(e); strings.Contains(got, c.Name) {
				t.Errorf("%s %v: the admin's own failure sends them to the vendor: %q", l, e, got)
			}
		}
	}
	// With no contact known, nothing is said about one.
	knownContact.Store(nil)
	if got := errorText(&connclient.Error{Kind: flow.VendorKinds()[0]}); strings.Contains(got, c.Name) {
		t.Fatalf("a contact named with none known: %q", got)
	}
	learnContact(context.Background(), a.wiz)
}
