package flow

import (
	"context"
	"errors"

	"oawizard/flow/connclient"
	"oawizard/wechat"
)

// Some failures are the vendor's to fix: its server, its database, its
// platform's configuration and tickets. Beside those the window shows the
// vendor's support contact; the admin cannot fix them, and must not be left
// to try.

// vendorKinds are the connector's failures that only the vendor can fix.
var vendorKinds = map[connclient.Kind]bool{
	connclient.KindUnreachable:      true, // the vendor's server is down or unreachable
	connclient.KindTLS:              true, // its certificate
	connclient.KindStoreUnavailable: true, // its database
	connclient.KindWaitingTicket:    true, // its platform has had no ticket from WeChat yet
	connclient.KindTicketStalled:    true, // nor lately
	connclient.KindPushSignature:    true, // its Token or EncodingAESKey
	connclient.KindForbidden:        true, // the project its token was made for
	connclient.KindProtocol:         true, // a server that does not speak this wizard's API
}

// VendorKinds lists the connector's failures VendorToFix counts as the
// vendor's (tests go through every one).
func VendorKinds() []connclient.Kind {
	out := make([]connclient.Kind, 0, len(vendorKinds))
	for k := range vendorKinds {
		out = append(out, k)
	}
	return out
}

// VendorToFix tells whether err is the vendor's to fix: one of the
// connector's vendorKinds, or a WeChat code whose owner is the vendor (its
// IP whitelist, its platform's quota or permissions, a code WeChat does not
// document).
func VendorToFix(err error) bool {
	var we *wechat.APIError
	if errors.As(err, &we) {
		return we.Advice(wechat.LangZH).Owner == wechat.OwnerVendor
	}
	var ce *connclient.Error
	return errors.As(err, &ce) && vendorKinds[ce.Kind]
}

const supportContactKey = "support_contact"

// SupportContact is the vendor's contact as the connector last gave it,
// kept so that it is there when the connector is not; ok is false when
// the vendor set none or the connector never answered.
func (w *Wizard) SupportContact(ctx context.Context) (c Contact, ok bool, err error) {
	found, err := w.db.Get(ctx, supportContactKey, &c)
	return c, found && !c.IsZero(), err
}

// keepContact saves the contact a health answer carries when it changed.
func (w *Wizard) keepContact(ctx context.Context, h *connclient.Health) error {
	if h == nil {
		return nil
	}
	var now Contact
	if h.Support != nil {
		now = Contact{Name: h.Support.Name, Phone: h.Support.Phone, URL: h.Support.URL}
	}
	if was, _, err := w.SupportContact(ctx); err != nil || was == now {
		return err
	}
	return w.db.Put(ctx, supportContactKey, now)
}

// Contact is the vendor's support contact, as the operator set it in the
// connector's config.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"` // a phone number or a WeChat ID
	URL   string `json:"url,omitempty"`
}

// IsZero tells a contact with nothing set.
func (c Contact) IsZero() bool { return c == Contact{} }
