package connector

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"oawizard/wechat/wechatsim"
)

// exec runs SQL on the stack's database, e.g. a trigger that makes the next
// write fail as a full disk would.
func (st *stack) exec(q string) {
	st.t.Helper()
	if _, err := st.d.Store.w.Exec(q); err != nil {
		st.t.Fatal(err)
	}
}

func TestFailedTicketPushIsTakenOnRedelivery(t *testing.T) {
	st := startStack(t, "ok", nil)
	comp := wechatsim.DemoComponent()
	ctx := context.Background()
	_, before, _ := st.d.Store.Ticket(ctx, comp.AppID)
	q, body := sealedPush(t, ticketXML(comp.AppID, "ticket@@@redelivered"), time.Now(), "501", comp.EncodingAESKey, comp.AppID)
	st.exec(`CREATE TRIGGER fail_ticket BEFORE UPDATE ON sealed_tickets BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
	if code := st.pushRaw(q, body); code != http.StatusServiceUnavailable {
		t.Fatalf("push while the store fails: %d", code)
	}
	st.exec(`DROP TRIGGER fail_ticket`)
	if code := st.pushRaw(q, body); code != 200 {
		t.Fatalf("WeChat's re-delivery of the same push: %d", code)
	}
	sealed, after, _ := st.d.Store.Ticket(ctx, comp.AppID)
	if !after.After(before) && !after.Equal(before) {
		t.Fatal("the ticket was not stored")
	}
	if v, err := st.d.Connector.tok.seal.open(sealed, ticketAAD(comp.AppID)); err != nil || v != "ticket@@@redelivered" {
		t.Fatalf("stored ticket %q %v", v, err)
	}
}

func TestRevocationIsOneTransaction(t *testing.T) {
	st := startStack(t, "ok", nil)
	comp := wechatsim.DemoComponent()
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	st.d.Connector.bg.Wait()
	inner := fmt.Sprintf("<xml><AppId><![CDATA[%s]]></AppId><CreateTime>1</CreateTime><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[%s]]></AuthorizerAppid></xml>", comp.AppID, oa)
	q, body := sealedPush(t, inner, time.Now(), "502", comp.EncodingAESKey, comp.AppID)
	st.exec(`CREATE TRIGGER fail_revoke BEFORE DELETE ON tokens BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
	if code := st.pushRaw(q, body); code != http.StatusServiceUnavailable {
		t.Fatalf("revocation while the store fails: %d", code)
	}
	a, _ := st.d.Store.Authorizer(context.Background(), oa)
	if a.Status != AuthorizerActive || a.RefreshSealed == nil {
		t.Fatalf("a failed revocation was half stored: %+v", a.Status)
	}
	st.exec(`DROP TRIGGER fail_revoke`)
	if code := st.pushRaw(q, body); code != 200 {
		t.Fatalf("re-delivery: %d", code)
	}
	a, _ = st.d.Store.Authorizer(context.Background(), oa)
	if a.Status != AuthorizerRevoked || a.RefreshSealed != nil {
		t.Fatalf("after re-delivery: %+v", a.Status)
	}
}

func TestPushSignatureIsCheckedBeforeTheOuterAppID(t *testing.T) {
	st := startStack(t, "ok", nil)
	comp := wechatsim.DemoComponent()
	// WeChat may put something else in the unsigned envelope.
	q, body := sealedPush(t, ticketXML(comp.AppID, "ticket@@@outer"), time.Now(), "601", comp.EncodingAESKey, comp.AppID)
	body = "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>" + body[len("<xml>"):]
	body = replaceOuterAppID(body, comp.AppID, "wx9999999999999999")
	if code := st.pushRaw(q, body); code != 200 {
		t.Fatalf("a genuine push with another outer AppId: %d", code)
	}
	// A forged push learns nothing from the envelope: its signature fails.
	q, body = sealedPush(t, ticketXML(comp.AppID, "ticket@@@forged"), time.Now(), "602", comp.EncodingAESKey, comp.AppID)
	q.Set("msg_signature", "0000000000000000000000000000000000000000")
	if code := st.pushRaw(q, replaceOuterAppID(body, comp.AppID, "wx9999999999999999")); code != http.StatusForbidden {
		t.Fatalf("forged push with another outer AppId: %d", code)
	}
}

func replaceOuterAppID(body, from, to string) string {
	old := "<AppId><![CDATA[" + from + "]]></AppId>"
	for i := 0; i+len(old) <= len(body); i++ {
		if body[i:i+len(old)] == old {
			return body[:i] + "<AppId><![CDATA[" + to + "]]></AppId>" + body[i+len(old):]
		}
	}
	return body
}
