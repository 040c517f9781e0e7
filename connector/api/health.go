package api

import "time"

// Reasons the connector is, or is not, ready to work with WeChat
// (wechat.reason in /healthz and /v1/health).
const (
	ReasonOK            = "ok"
	ReasonTicketMissing = "ticket_missing" // no component_verify_ticket yet, and the server started recently
	// ReasonTicketStalled: the ticket is older than WeChat's 10-minute
	// pushes explain, no ticket came long after start, or WeChat called the
	// ticket expired or invalid (61005, 61006).
	ReasonTicketStalled = "ticket_stalled"
	// ReasonPushSignatureInvalid: recent pushes failed the signature and
	// none passed: the Token or EncodingAESKey differs from the console's.
	ReasonPushSignatureInvalid = "push_signature_invalid"
	ReasonUnreachable          = "unreachable"        // WeChat's API cannot be reached: DNS, refused, timeout
	ReasonIPNotWhitelisted     = "ip_not_whitelisted" // 61004: the server's IP is not on the platform's whitelist
	ReasonWeChatBusy           = "wechat_busy"        // -1: WeChat asks to try again shortly
	ReasonWeChatError          = "wechat_error"       // any other answer from WeChat
	ReasonStoreUnavailable     = "store_unavailable"  // the database cannot be read
	ReasonClientGone           = "client_gone"        // the caller hung up; not a failure of ours
	ReasonInternal             = "internal_error"     // anything else; the connector's log has the detail
)

// WeChat states (WeChatState.State).
const (
	WeChatOK               = "ok"
	WeChatWaitingForTicket = "waiting_for_ticket"
	WeChatError            = "error"
)

// Ticket states (TicketState.State).
const (
	TicketOK      = "ok"
	TicketWaiting = "waiting"
	// TicketStalled: older than the pushes every 10 minutes explain, but
	// still within WeChat's 12 hours.
	TicketStalled = "stalled"
	TicketStale   = "stale" // older than 12 hours: WeChat no longer takes it
)

// Release states of the third-party platform (全网发布), as the operator
// sets them: before release only the test accounts listed in the Open
// Platform console can authorize.
const (
	ReleaseUnknown  = ""
	ReleaseTesting  = "testing"
	ReleaseReleased = "released"
)

// Cause is a reason with its explanation and what supports it.
type Cause struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
	IP      string `json:"ip,omitempty"`      // ip_not_whitelisted: the IP WeChat saw
	ErrCode int    `json:"errcode,omitempty"` // WeChat's errcode, when it answered
	ErrMsg  string `json:"errmsg,omitempty"`
}

// WeChatState is the answer to "can this server work with WeChat now?".
type WeChatState struct {
	State string `json:"state"`
	Cause
	CheckedAt time.Time `json:"checked_at"`
}

// TicketState says whether a ticket has arrived and how old it is.
type TicketState struct {
	State      string `json:"state"`
	AgeSeconds int64  `json:"age_seconds"`
}

// Health is GET /v1/health.
type Health struct {
	OK             bool        `json:"ok"`
	Project        string      `json:"project"`
	ComponentAppID string      `json:"component_appid"`
	Ticket         TicketState `json:"ticket"`
	WeChat         WeChatState `json:"wechat"`
	Demo           bool        `json:"demo"`
	// ReleaseState is the platform's 全网发布 state as the operator set it
	// ("" = not set).
	ReleaseState string `json:"release_state,omitempty"`
	// Support is whom the admin contacts for what the vendor must fix;
	// nil when the operator set none.
	Support *Support `json:"support,omitempty"`
}

// Support is the vendor's support contact as the operator configured it
// (serve's -support-name, -support-phone and -support-url).
type Support struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"` // a phone number or a WeChat ID
	URL   string `json:"url,omitempty"`
}

// IsZero tells a contact with nothing set.
func (s Support) IsZero() bool { return s == Support{} }
