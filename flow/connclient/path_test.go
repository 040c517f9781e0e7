package connclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"oawizard/wechat"
)

// The connector names the WeChat API behind an error; a 45009 from the
// platform's own token call then reads as the vendor's quota, in both
// languages, not as the Official Account's.
func TestWeChatErrorKeepsThePathThatAnswered(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, `{"error":"wechat_error","message":"WeChat answered an error","errcode":45009,"errmsg":"reach max api daily quota limit rid: 1-2-3","path":"/cgi-bin/component/api_component_token"}`)
	}))
	defer srv.Close()
	c, err := New(srv.URL, "tok", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateAuthorization(context.Background(), "wx5a3c9e1f7b2d4806")
	if c, ok := wechat.ClassOfError(err); !ok || c != wechat.ClassVendor {
		t.Fatalf("class %s of %v", c, err)
	}
	zh, en := wechat.Describe(err, wechat.LangZH), wechat.Describe(err, wechat.LangEN)
	if !strings.Contains(zh, "服务商的额度") || strings.Contains(zh, "接口权限") || !strings.Contains(en, "vendor's quota") {
		t.Fatalf("zh %q\nen %q", zh, en)
	}
}
