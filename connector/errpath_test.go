package connector

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"oawizard/wechat"
)

// A WeChat error the connector passes on names the API that answered, so
// the wizard can tell the platform's quota from the account's.
func TestWeChatErrorBodyNamesThePath(t *testing.T) {
	rec := httptest.NewRecorder()
	ae := &wechat.APIError{Code: 45009, Msg: "reach max api daily quota limit", Path: "/cgi-bin/component/api_component_token"}
	writeError(rec, http.StatusBadGateway, "wechat_error", "WeChat answered an error", ae)
	if body := rec.Body.String(); !strings.Contains(body, `"path":"/cgi-bin/component/api_component_token"`) || !strings.Contains(body, `"errcode":45009`) {
		t.Fatal(body)
	}
}
