package flow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"oawizard/flow/connclient"
	"oawizard/wechat"
)

// Every connector failure and every WeChat code is the vendor's or not,
// from one list each: the connector's kinds and WeChat's owners.
func TestVendorToFixFollowsTheKindsAndWeChatsOwners(t *testing.T) {
	for _, k := range VendorKinds() {
		if err := fmt.Errorf("wrapped: %w", &connclient.Error{Kind: k}); !VendorToFix(err) {
			t.Errorf("%s is not the vendor's", k)
		}
	}
	for _, k := range []connclient.Kind{connclient.KindBadURL, connclient.KindBadToken, connclient.KindReauthorize,
		connclient.KindNoAPI, connclient.KindRateLimited, connclient.KindBadRequest, connclient.KindNotFound} {
		if VendorToFix(&connclient.Error{Kind: k}) {
			t.Errorf("%s is taken for the vendor's, but the admin or a retry fixes it", k)
		}
	}
	vendor := 0
	for _, code := range wechat.Codes() {
		ae := &wechat.APIError{Code: code}
		want := ae.Advice(wechat.LangZH).Owner == wechat.OwnerVendor
		vendor += map[bool]int{true: 1}[want]
		// A WeChat answer relayed by the connector is judged by its code.
		relayed := &connclient.Error{Kind: connclient.KindWeChat, WeChat: ae}
		if VendorToFix(ae) != want || VendorToFix(relayed) != want {
			t.Errorf("wechat %d: vendor's %v, want %v", code, VendorToFix(ae), want)
		}
	}
	if vendor == 0 || !VendorToFix(&wechat.APIError{Code: 61004}) {
		t.Fatal("no WeChat code is the vendor's: the platform's IP whitelist (61004) is")
	}
	if VendorToFix(errors.New("disk")) || VendorToFix(nil) {
		t.Fatal("an error with no kind is taken for the vendor's")
	}
}

// The contact is kept from the connector's answer, so it is there when
// the connector is down.
func TestSupportContactIsKeptForWhenTheConnectorIsDown(t *testing.T) {
	ctx := context.Background()
	d, w, _ := demoWizard(t, "ok", http.DefaultClient)
	if _, ok, err := w.SupportContact(ctx); ok || err != nil {
		t.Fatalf("a contact before the connector answered (%v)", err)
	}
	if _, err := w.ConnectorHealth(ctx); err != nil {
		t.Fatal(err)
	}
	d.Close()
	c, ok, err := w.SupportContact(ctx)
	if err != nil || !ok || c.Name == "" {
		t.Fatalf("kept contact %+v %v %v", c, ok, err)
	}
}
