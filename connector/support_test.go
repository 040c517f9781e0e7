package connector

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

// supportServer is a connector with the given support contact.
func supportServer(t *testing.T, sup api.Support) (*httptest.Server, string) {
	t.Helper()
	sim := wechatsim.New(wechatsim.Options{PushInterval: -1})
	t.Cleanup(sim.Close)
	comp := wechatsim.DemoComponent()
	srv, err := New(Config{PublicURL: "http://127.0.0.1:1", APIBase: sim.URL, ComponentAppID: comp.AppID, Support: sup,
		Secrets: Secrets{AppSecret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey, StoreKey: strings.Repeat("s", 32)}}, openTestStore(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	tok, err := srv.CreateProjectToken("acme")
	if err != nil {
		t.Fatal(err)
	}
	return hs, tok
}

func healthOf(t *testing.T, hs *httptest.Server, tok string) api.Health {
	t.Helper()
	var h api.Health
	req, _ := http.NewRequest("GET", hs.URL+"/v1/health", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	getJSON(t, req, &h)
	return h
}

func TestHealthCarriesTheSupportContact(t *testing.T) {
	want := api.Support{Name: "客户成功部 王小明", Phone: "400-800-1234", URL: "https://help.example.com/oawizard"}
	hs, tok := supportServer(t, want)
	if h := healthOf(t, hs, tok); h.Support == nil || *h.Support != want {
		t.Fatalf("support in health: %+v", h.Support)
	}
}

func TestHealthLeavesOutAnUnsetSupportContact(t *testing.T) {
	hs, tok := supportServer(t, api.Support{})
	if h := healthOf(t, hs, tok); h.Support != nil {
		t.Fatalf("no contact was set, health says %+v", h.Support)
	}
}

func TestSupportURLMustBeAWebAddress(t *testing.T) {
	for _, u := range []string{"javascript:alert(1)", "help.example.com", "file:///etc/passwd"} {
		if err := CheckSupport(api.Support{URL: u}); err == nil {
			t.Errorf("support URL %q accepted", u)
		}
	}
	if err := CheckSupport(api.Support{URL: "https://help.example.com"}); err != nil {
		t.Error(err)
	}
}
