package wechat

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// Component pushes to the 授权事件接收URL (reference §1.2, §1.11).

// InfoType values of component pushes.
const (
	InfoTicket           = "component_verify_ticket"
	InfoAuthorized       = "authorized"
	InfoUpdateAuthorized = "updateauthorized"
	InfoUnauthorized     = "unauthorized"
)

var (
	ErrMalformedXML = errors.New("wechat: push is not well-formed XML")
	ErrUnknownEvent = errors.New("wechat: push has an unknown InfoType")
)

// Envelope is the outer body WeChat POSTs: the component appid and the
// encrypted message.
type Envelope struct {
	AppID   string
	Encrypt string
}

// ParseEnvelope reads <xml><AppId/><Encrypt/></xml>. OA-style pushes carry
// ToUserName instead of AppId; it is taken as the id then.
func ParseEnvelope(body []byte) (Envelope, error) {
	var raw struct {
		XMLName    xml.Name `xml:"xml"`
		AppID      string   `xml:"AppId"`
		ToUserName string   `xml:"ToUserName"`
		Encrypt    string   `xml:"Encrypt"`
	}
	if err := xml.Unmarshal(body, &raw); err != nil {
		return Envelope{}, ErrMalformedXML
	}
	e := Envelope{AppID: strings.TrimSpace(raw.AppID), Encrypt: strings.TrimSpace(raw.Encrypt)}
	if e.AppID == "" {
		e.AppID = strings.TrimSpace(raw.ToUserName)
	}
	if e.Encrypt == "" {
		return Envelope{}, fmt.Errorf("%w: no Encrypt element", ErrMalformedXML)
	}
	return e, nil
}

// EventHeader is common to every component push.
type EventHeader struct {
	AppID      string // the component appid
	CreateTime int64
	InfoType   string
}

// Event is a decrypted component push.
type Event interface{ Header() EventHeader }

func (h EventHeader) Header() EventHeader { return h }

// TicketEvent carries a new component_verify_ticket.
type TicketEvent struct {
	EventHeader
	Ticket string
}

// AuthorizationEvent is authorized or updateauthorized (see InfoType).
// AuthorizationCodeExpiredTime is documented in seconds but arrives as a
// Unix timestamp.
type AuthorizationEvent struct {
	EventHeader
	AuthorizerAppID              string
	AuthorizationCode            string
	AuthorizationCodeExpiredTime int64
	PreAuthCode                  string
}

// UnauthorizedEvent says an account withdrew its authorization.
type UnauthorizedEvent struct {
	EventHeader
	AuthorizerAppID string
}

// ParseComponentEvent reads a decrypted push.
func ParseComponentEvent(plain []byte) (Event, error) {
	var raw struct {
		XMLName                      xml.Name `xml:"xml"`
		AppID                        string   `xml:"AppId"`
		CreateTime                   int64    `xml:"CreateTime"`
		InfoType                     string   `xml:"InfoType"`
		ComponentVerifyTicket        string   `xml:"ComponentVerifyTicket"`
		AuthorizerAppid              string   `xml:"AuthorizerAppid"`
		AuthorizationCode            string   `xml:"AuthorizationCode"`
		AuthorizationCodeExpiredTime int64    `xml:"AuthorizationCodeExpiredTime"`
		PreAuthCode                  string   `xml:"PreAuthCode"`
	}
	if err := xml.Unmarshal(plain, &raw); err != nil {
		return nil, ErrMalformedXML
	}
	h := EventHeader{AppID: strings.TrimSpace(raw.AppID), CreateTime: raw.CreateTime, InfoType: strings.TrimSpace(raw.InfoType)}
	switch h.InfoType {
	case InfoTicket:
		t := strings.TrimSpace(raw.ComponentVerifyTicket)
		if t == "" {
			return nil, fmt.Errorf("%w: ticket push without ComponentVerifyTicket", ErrMalformedXML)
		}
		return &TicketEvent{EventHeader: h, Ticket: t}, nil
	case InfoAuthorized, InfoUpdateAuthorized:
		ev := &AuthorizationEvent{EventHeader: h, AuthorizerAppID: strings.TrimSpace(raw.AuthorizerAppid),
			AuthorizationCode: strings.TrimSpace(raw.AuthorizationCode), AuthorizationCodeExpiredTime: raw.AuthorizationCodeExpiredTime,
			PreAuthCode: strings.TrimSpace(raw.PreAuthCode)}
		if ev.AuthorizerAppID == "" || ev.AuthorizationCode == "" {
			return nil, fmt.Errorf("%w: %s push without AuthorizerAppid or AuthorizationCode", ErrMalformedXML, h.InfoType)
		}
		return ev, nil
	case InfoUnauthorized:
		ev := &UnauthorizedEvent{EventHeader: h, AuthorizerAppID: strings.TrimSpace(raw.AuthorizerAppid)}
		if ev.AuthorizerAppID == "" {
			return nil, fmt.Errorf("%w: unauthorized push without AuthorizerAppid", ErrMalformedXML)
		}
		return ev, nil
	}
	return nil, ErrUnknownEvent
}

// OpenPush checks the envelope's Encrypt against msg_signature, decrypts and
// parses it. An envelope addressed to another appid is ErrAppIDMismatch.
func (m *MsgCrypt) OpenPush(msgSignature, timestamp, nonce string, body []byte) (Event, error) {
	env, err := ParseEnvelope(body)
	if err != nil {
		return nil, err
	}
	if m.appID != "" && env.AppID != "" && env.AppID != m.appID {
		return nil, ErrAppIDMismatch
	}
	plain, err := m.Decrypt(msgSignature, timestamp, nonce, env.Encrypt)
	if err != nil {
		return nil, err
	}
	return ParseComponentEvent(plain)
}
