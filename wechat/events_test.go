package wechat

import (
	"errors"
	"testing"
)

func TestParseComponentEvents(t *testing.T) {
	ticket := `<xml><AppId><![CDATA[wx3c8e5a1f9b7d2604]]></AppId><CreateTime>1413192605</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[ticket@@@abc]]></ComponentVerifyTicket></xml>`
	ev, err := ParseComponentEvent([]byte(ticket))
	if te, ok := ev.(*TicketEvent); err != nil || !ok || te.Ticket != "ticket@@@abc" || te.AppID != "wx3c8e5a1f9b7d2604" || te.CreateTime != 1413192605 {
		t.Fatalf("ticket: %#v %v", ev, err)
	}
	// Plain text instead of CDATA parses the same.
	auth := `<xml><AppId>wx3c8e5a1f9b7d2604</AppId><CreateTime>1413192760</CreateTime><InfoType>updateauthorized</InfoType><AuthorizerAppid>wx5a3c9e1f7b2d4806</AuthorizerAppid><AuthorizationCode>queryauthcode@@@x</AuthorizationCode><AuthorizationCodeExpiredTime>1608190715</AuthorizationCodeExpiredTime><PreAuthCode>preauthcode@@@y</PreAuthCode></xml>`
	ev, err = ParseComponentEvent([]byte(auth))
	if ae, ok := ev.(*AuthorizationEvent); err != nil || !ok || ae.InfoType != InfoUpdateAuthorized || ae.AuthorizerAppID != "wx5a3c9e1f7b2d4806" ||
		ae.AuthorizationCode != "queryauthcode@@@x" || ae.AuthorizationCodeExpiredTime != 1608190715 || ae.PreAuthCode != "preauthcode@@@y" {
		t.Fatalf("updateauthorized: %#v %v", ev, err)
	}
	unauth := `<xml><AppId><![CDATA[wx3c8e5a1f9b7d2604]]></AppId><CreateTime>1413192760</CreateTime><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[wx5a3c9e1f7b2d4806]]></AuthorizerAppid></xml>`
	ev, err = ParseComponentEvent([]byte(unauth))
	if ue, ok := ev.(*UnauthorizedEvent); err != nil || !ok || ue.AuthorizerAppID != "wx5a3c9e1f7b2d4806" {
		t.Fatalf("unauthorized: %#v %v", ev, err)
	}
	for name, c := range map[string]struct {
		xml  string
		want error
	}{
		"ticket without ticket":   {`<xml><InfoType>component_verify_ticket</InfoType></xml>`, ErrMalformedXML},
		"authorized without code": {`<xml><InfoType>authorized</InfoType><AuthorizerAppid>wx1</AuthorizerAppid></xml>`, ErrMalformedXML},
		"unknown type":            {`<xml><InfoType>notify_third_fasteregister</InfoType></xml>`, ErrUnknownEvent},
		"not xml":                 {`{"InfoType":"authorized"}`, ErrMalformedXML},
	} {
		if _, err := ParseComponentEvent([]byte(c.xml)); !errors.Is(err, c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestOpenPush(t *testing.T) {
	mc, _ := NewMsgCrypt("tok", keyA, "wx3c8e5a1f9b7d2604")
	inner := `<xml><AppId><![CDATA[wx3c8e5a1f9b7d2604]]></AppId><CreateTime>1</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[t1]]></ComponentVerifyTicket></xml>`
	enc, sig, _ := mc.Encrypt([]byte(inner), "100", "n")
	body := []byte(`<xml><AppId><![CDATA[wx3c8e5a1f9b7d2604]]></AppId><Encrypt><![CDATA[` + enc + `]]></Encrypt></xml>`)
	ev, err := mc.OpenPush(sig, "100", "n", body)
	if err != nil || ev.(*TicketEvent).Ticket != "t1" {
		t.Fatalf("%#v %v", ev, err)
	}
	other := []byte(`<xml><AppId><![CDATA[wx00112233445566aa]]></AppId><Encrypt><![CDATA[` + enc + `]]></Encrypt></xml>`)
	if _, err := mc.OpenPush(sig, "100", "n", other); !errors.Is(err, ErrAppIDMismatch) {
		t.Fatalf("envelope for another appid: %v", err)
	}
	if _, err := mc.OpenPush(sig, "100", "n", []byte(`<xml><AppId>x</AppId></xml>`)); !errors.Is(err, ErrMalformedXML) {
		t.Fatalf("envelope without Encrypt: %v", err)
	}
	env, err := ParseEnvelope([]byte(`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>`))
	if err != nil || env.AppID != "gh_1" || env.Encrypt != "abc" {
		t.Fatalf("OA-style envelope: %+v %v", env, err)
	}
}
