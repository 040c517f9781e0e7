package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// These tests pin the client's own handling of answers with a stand-in
// server; the endpoints themselves are exercised against wechatsim.

func fakeWeChat(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return NewClient(srv.URL, srv.Client())
}

func TestErrcodeBecomesAPIErrorWithRID(t *testing.T) {
	c := fakeWeChat(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":61004,"errmsg":"access clientip is not registered requestIP: 1.2.3.4 rid: 64f0a1b2-1c2d3e4f-5a6b7c8d"}`)
	})
	_, err := c.ComponentToken(context.Background(), ComponentTokenRequest{ComponentAppID: "wx1"})
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want *APIError, got %T %v", err, err)
	}
	if ae.Code != 61004 || ae.RID != "64f0a1b2-1c2d3e4f-5a6b7c8d" || ae.Msg != "access clientip is not registered requestIP: 1.2.3.4" {
		t.Fatalf("parsed %+v", ae)
	}
	if !IsCode(err, 40001, 61004) || IsTokenError(err) {
		t.Fatalf("IsCode/IsTokenError wrong for %v", err)
	}
}

func TestErrcodeZeroWithFieldsIsSuccess(t *testing.T) {
	c := fakeWeChat(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":0,"errmsg":"ok","open_appid":"wxopen0000000001"}`)
	})
	got, err := c.OpenGet(context.Background(), "tok", "")
	if err != nil || got != "wxopen0000000001" {
		t.Fatalf("OpenGet = %q, %v", got, err)
	}
}

func TestTokenErrorsAreRecognised(t *testing.T) {
	for _, code := range []int{40001, 40014, 42001} {
		if !IsTokenError(newAPIError(code, "x")) {
			t.Errorf("%d should be a token error", code)
		}
	}
	if IsTokenError(newAPIError(61023, "refresh_token is invalid")) {
		t.Error("61023 needs re-authorization, not a token refresh")
	}
}

func TestTransportErrorDoesNotLeakToken(t *testing.T) {
	c := NewClient("http://127.0.0.1:1", &http.Client{Timeout: time.Second})
	_, err := c.UserGet(context.Background(), "SECRET-TOKEN-VALUE", "")
	if err == nil {
		t.Fatal("expected a connection error")
	}
	if strings.Contains(err.Error(), "SECRET-TOKEN-VALUE") {
		t.Fatalf("error leaks the token: %v", err)
	}
}

func TestNon200IsHTTPError(t *testing.T) {
	c := fakeWeChat(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"forbidden"}`, http.StatusForbidden)
	})
	_, err := c.UserGet(context.Background(), "", "")
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusForbidden || !strings.Contains(he.Body, "forbidden") {
		t.Fatalf("want HTTPError 403, got %v", err)
	}
}

func TestEmptyTokenLeavesParameterOut(t *testing.T) {
	c := fakeWeChat(t, func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.URL.Query()["access_token"]; ok {
			t.Errorf("access_token sent although empty: %s", r.URL.RawQuery)
		}
		if r.URL.Query().Get("next_openid") != "oNext" {
			t.Errorf("next_openid missing: %s", r.URL.RawQuery)
		}
		io.WriteString(w, `{"total":1,"count":0,"next_openid":""}`)
	})
	l, err := c.UserGet(context.Background(), "", "oNext")
	if err != nil || !l.Done() {
		t.Fatalf("last page not recognised: %+v %v", l, err)
	}
}

func TestBatchGetSendsJSONBody(t *testing.T) {
	c := fakeWeChat(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("method %s content-type %q", r.Method, r.Header.Get("Content-Type"))
		}
		var body struct {
			UserList []struct{ OpenID, Lang string } `json:"user_list"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.UserList) != 2 {
			t.Errorf("body %+v %v", body, err)
		}
		io.WriteString(w, `{"user_info_list":[{"subscribe":1,"openid":"a","unionid":"u"},{"subscribe":0,"openid":"b"}]}`)
	})
	rows, err := c.UserInfoBatchGet(context.Background(), "t", []string{"a", "b"}, "zh_CN")
	if err != nil || len(rows) != 2 || rows[0].UnionID != "u" || rows[1].Subscribe != 0 {
		t.Fatalf("rows %+v %v", rows, err)
	}
}

func TestOversizedAnswerIsRefused(t *testing.T) {
	c := fakeWeChat(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"x":"`+strings.Repeat("a", maxResponse)+`"}`)
	})
	if _, err := c.UserGet(context.Background(), "", ""); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Fatalf("want size error, got %v", err)
	}
}

func TestMalformedAnswer(t *testing.T) {
	c := fakeWeChat(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `<html>`) })
	if _, err := c.UserGet(context.Background(), "", ""); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("want malformed error, got %v", err)
	}
}
