package connclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"oawizard/connector/api"
)

// The client reads the connector's health and refusals through the
// contract: a stalled ticket is its own kind, not "just started", and
// health carries WeChat's state and the release state.
func TestTicketStallReachesTheClientAsItsOwnKind(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v1/health" {
			json.NewEncoder(w).Encode(api.Health{WeChat: api.WeChatState{State: api.WeChatError, Cause: api.Cause{Reason: api.ReasonTicketStalled}},
				ReleaseState: api.ReleaseTesting})
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(api.Error{Error: api.ErrorTicketStalled, Message: "no ticket for 40 minutes"})
	}))
	defer srv.Close()
	c, _ := New(srv.URL, testToken, nil)
	h, err := c.Health(context.Background())
	if err != nil || h.WeChat.Reason != api.ReasonTicketStalled || h.ReleaseState != api.ReleaseTesting {
		t.Fatalf("health %+v %v", h, err)
	}
	if _, err := c.RefreshAccount(context.Background(), "wx0123456789abcdef"); KindOf(err) != KindTicketStalled {
		t.Fatalf("refusal: %v", err)
	}
}
