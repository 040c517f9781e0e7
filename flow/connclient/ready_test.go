package connclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oawizard/assets"
	"oawizard/connector/api"
)

// troubleWords checks the window has words for a vendor's trouble, in both
// languages, under the key it shows a connector's Kind with.
func troubleWords(t *testing.T, k Kind) {
	t.Helper()
	for _, loc := range []string{"zh-Hans", "en"} {
		m, err := assets.Texts("connector", loc)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(m["error.connector."+string(k)]) == "" {
			t.Errorf("%s: no words for %s", loc, k)
		}
	}
}

// A connector whose Token or EncodingAESKey differs from the Open
// Platform's answers its health, but cannot authorize: Ready says so as
// the vendor's trouble, not as a working connector.
func TestReadyReportsPushesFailingTheSignature(t *testing.T) {
	d := startConnector(t, "127.0.0.1:0", filepath.Join(t.TempDir(), "connector.db"), testToken)
	c, _ := New(d.URL, testToken, nil)
	ctx := context.Background()
	if _, err := c.Ready(ctx); err != nil {
		t.Fatalf("a healthy connector: %v", err)
	}
	for i := 0; i < 3; i++ {
		u := fmt.Sprintf("%s/wechat/events?timestamp=%d&nonce=n%d&msg_signature=%s", d.URL, time.Now().Unix(), i, strings.Repeat("0", 40))
		resp, err := http.Post(u, "text/xml", strings.NewReader("<xml><AppId>x</AppId><Encrypt>QUJD</Encrypt></xml>"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a push with a wrong signature: %d", resp.StatusCode)
		}
	}
	h, err := c.Ready(ctx)
	if KindOf(err) != KindPushSignature || h == nil || h.WeChat.Reason != api.ReasonPushSignatureInvalid {
		t.Fatalf("health after pushes failing the signature: %+v %v", h, err)
	}
	troubleWords(t, KindPushSignature)
}

// A stalled ticket in health is the vendor's trouble too.
func TestReadyReportsAStalledTicket(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(api.Health{OK: false, Ticket: api.TicketState{State: api.TicketStalled, AgeSeconds: 3600},
			WeChat: api.WeChatState{State: api.WeChatError, Cause: api.Cause{Reason: api.ReasonTicketStalled}}})
	}))
	defer srv.Close()
	c, _ := New(srv.URL, testToken, nil)
	if _, err := c.Ready(context.Background()); KindOf(err) != KindTicketStalled {
		t.Fatalf("health with the ticket stalled: %v", err)
	}
	troubleWords(t, KindTicketStalled)
}
