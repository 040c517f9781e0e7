package connector

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"oawizard/connector/api"
	"oawizard/wechat"
)

// Reasons a WeChat call (or the connector itself) is not ready, in words a
// wizard can show and a machine can match; the contract defines them.
const (
	ReasonOK                   = api.ReasonOK
	ReasonTicketMissing        = api.ReasonTicketMissing
	ReasonTicketStalled        = api.ReasonTicketStalled
	ReasonPushSignatureInvalid = api.ReasonPushSignatureInvalid
	ReasonUnreachable          = api.ReasonUnreachable
	ReasonIPNotWhitelisted     = api.ReasonIPNotWhitelisted
	ReasonWeChatBusy           = api.ReasonWeChatBusy
	ReasonWeChatError          = api.ReasonWeChatError
	ReasonStoreUnavailable     = api.ReasonStoreUnavailable
	ReasonClientGone           = api.ReasonClientGone
	ReasonInternal             = api.ReasonInternal
)

// Cause is a reason with its explanation and what supports it.
type Cause = api.Cause

// causeOf classifies an error from a WeChat call.
func causeOf(err error) Cause {
	var ae *wechat.APIError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var netErr net.Error
	switch {
	case err == nil:
		return Cause{Reason: ReasonOK, Message: "WeChat accepts this server"}
	case storeFailure(err):
		// Before the network cases: PostgreSQL's connection errors are
		// network errors too, but not WeChat's.
		return Cause{Reason: ReasonStoreUnavailable, Message: "the connector's database cannot be used"}
	case errors.Is(err, context.Canceled):
		return Cause{Reason: ReasonClientGone, Message: "the client closed the connection before the answer"}
	case errors.Is(err, ErrWaitingForTicket):
		return Cause{Reason: ReasonTicketMissing, Message: "no component_verify_ticket received yet; WeChat pushes one every 10 minutes to the 授权事件接收URL"}
	case errors.As(err, &ae) && ae.Code == 61004:
		c := Cause{Reason: ReasonIPNotWhitelisted, ErrCode: ae.Code, ErrMsg: ae.Msg,
			Message: "WeChat refuses this server's IP: add it to 白名单IP地址列表 in the Open Platform console (the vendor's fix)"}
		if ip := wechat.RequestIP(ae.Msg); ip != "" {
			c.IP = ip
			c.Message = "WeChat refuses this server's IP " + ip + ": add it to 白名单IP地址列表 in the Open Platform console (the vendor's fix)"
		}
		return c
	case errors.As(err, &ae) && ae.Code == -1:
		return Cause{Reason: ReasonWeChatBusy, ErrCode: -1, ErrMsg: ae.Msg, Message: "WeChat is busy; it asks to try again shortly"}
	case errors.As(err, &ae):
		return Cause{Reason: ReasonWeChatError, ErrCode: ae.Code, ErrMsg: ae.Msg, Message: "WeChat answered error " + strconv.Itoa(ae.Code)}
	case errors.As(err, &dnsErr):
		return Cause{Reason: ReasonUnreachable, Message: "WeChat's API host name does not resolve from this server (DNS)"}
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return Cause{Reason: ReasonUnreachable, Message: "this server cannot connect to WeChat's API (connection refused or no route)"}
	case errors.As(err, &netErr) && netErr.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return Cause{Reason: ReasonUnreachable, Message: "WeChat's API did not answer in time"}
	case errors.As(err, &opErr):
		return Cause{Reason: ReasonUnreachable, Message: "this server cannot connect to WeChat's API"}
	}
	var he *wechat.HTTPError
	if errors.As(err, &he) {
		return Cause{Reason: ReasonWeChatError, Message: "WeChat answered HTTP " + strconv.Itoa(he.Status)}
	}
	return Cause{Reason: ReasonInternal, Message: "the connector could not complete the call"}
}

func storeFailure(err error) bool {
	var se *sqlite.Error
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	var ge *StoreError
	return errors.As(err, &ge) || errors.As(err, &se) || errors.As(err, &pe) || errors.As(err, &ce)
}
