package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"oawizard/connector/api"
	"oawizard/flow/connclient"
	"oawizard/flow/sdkimport"
	"oawizard/flow/store"
	"oawizard/wechat"
)

// Diagnostics are what the Help menu copies for support: plain text in the
// admin's language, made from the same snapshot staff see in the console
// (ids masked as in the report), plus what only the wizard knows: its
// version and mode, the connector's health, and its last failures with the
// codes staff look up. It never carries a token or a secret.

// DiagError is one recent failure: the words the admin read and the code
// staff look up (see ErrorCode).
type DiagError struct {
	At    time.Time
	Words string
	Code  string
}

// DiagInput is what the window knows besides the wizard's store.
type DiagInput struct {
	Version string
	Demo    bool
	// Health is the connector's last answer; nil when it did not answer,
	// with HealthErr saying why.
	Health    *ConnectorHealth
	HealthErr DiagError
	Errors    []DiagError // oldest first
}

// ErrorCode names an error for staff without its text (which may quote a
// server's answer): the connector's kind, WeChat's errcode, the store's
// or the import's problem.
func ErrorCode(err error) string {
	var ce *connclient.Error
	var we *wechat.APIError
	var ie *sdkimport.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce):
		if ce.WeChat != nil {
			return fmt.Sprintf("connector/%s wechat/%d", ce.Kind, ce.WeChat.Code)
		}
		return "connector/" + string(ce.Kind)
	case errors.As(err, &we):
		return fmt.Sprintf("wechat/%d", we.Code)
	case errors.As(err, &ie):
		return "import/" + string(ie.Kind)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	for code, e := range map[string]error{"store/read_only": store.ErrReadOnly, "store/disk_full": store.ErrDiskFull,
		"store/locked": store.ErrLocked, "store/corrupt": store.ErrCorrupt, "store/too_new": store.ErrTooNew} {
		if errors.Is(err, e) {
			return code
		}
	}
	return "other"
}

// Diagnostics writes the summary in the language tf speaks.
func (w *Wizard) Diagnostics(ctx context.Context, in DiagInput, tf Texts) (string, error) {
	const lang = "diag"
	s, err := w.snapshot(ctx, Catalogue{lang: tf})
	if err != nil {
		return "", err
	}
	t := func(k string) string { return tf(k, nil) }
	var b strings.Builder
	line := func(key string, data map[string]any) { b.WriteString(tf(key, data) + "\n") }
	mode := t("diag.mode.real")
	if in.Demo {
		mode = t("diag.mode.demo")
	}
	line("diag.title", nil)
	line("diag.version", map[string]any{"Version": in.Version, "Mode": mode})
	line("diag.generated", map[string]any{"Time": w.clk.Now().Local().Format("2006-01-02 15:04:05")})
	line("diag.step", map[string]any{"Step": s.Step[lang]})
	if s.OAAppID != "" {
		line("diag.account", map[string]any{"AppID": s.OAAppID, "Name": s.OAName})
	}
	b.WriteString("\n" + t("diag.checks") + "\n")
	if len(s.Checks) == 0 {
		line("diag.checks.none", nil)
	}
	for _, c := range s.Checks {
		fmt.Fprintf(&b, "- [%s] %s: %s\n  %s\n", t("status."+c.Status), c.Title[lang], c.Reason[lang], c.Evidence[lang])
		if c.Raw != "" {
			fmt.Fprintf(&b, "  %s\n", c.Raw)
		}
	}
	b.WriteString("\n")
	w.diagSync(&b, s.Sync, tf)
	diagHealth(&b, in, tf)
	b.WriteString("\n" + t("diag.errors") + "\n")
	if len(in.Errors) == 0 {
		line("diag.errors.none", nil)
	}
	for _, e := range in.Errors {
		fmt.Fprintf(&b, "- %s %s (%s)\n", e.At.Local().Format("15:04:05"), e.Words, e.Code)
	}
	return b.String(), nil
}

func (w *Wizard) diagSync(b *strings.Builder, s *connclient.SupportSync, tf Texts) {
	if s == nil {
		b.WriteString(tf("diag.sync.none", nil) + "\n")
		return
	}
	data := map[string]any{"Stored": Count(s.Stored), "Total": Count(s.Total), "Union": Count(s.WithUnionID)}
	b.WriteString(tf("diag.sync."+s.State, data) + "\n")
	if s.State == "stopped" {
		for _, words := range s.Stopped {
			b.WriteString("  " + words + "\n")
		}
	}
}

// diagHealth says the connector's readiness in words, with its reason code
// for staff.
func diagHealth(b *strings.Builder, in DiagInput, tf Texts) {
	h := in.Health
	if h == nil {
		b.WriteString(tf("diag.health.none", map[string]any{"Words": in.HealthErr.Words, "Code": in.HealthErr.Code}) + "\n")
		return
	}
	data := map[string]any{"Code": h.Reason, "IP": h.IP}
	if h.ErrCode != 0 {
		data["Code"] = fmt.Sprintf("%s wechat/%d", h.Reason, h.ErrCode)
	}
	b.WriteString(tf("diag.health", map[string]any{"Words": tf("diag.health."+h.Reason, data), "Code": data["Code"]}) + "\n")
}

// ConnectorHealth is what the diagnostics say of the connector's answer:
// how it reaches WeChat.
type ConnectorHealth struct {
	// Reason is the connector's reason code for WeChat's state, "ok"
	// when WeChat answers it.
	Reason string
	// IP is the address WeChat saw the connector call from, when it
	// refused it for that; ErrCode is WeChat's errcode, 0 for none.
	IP      string
	ErrCode int
}

// healthView is what the diagnostics say of h; nil for no answer.
func healthView(h *connclient.Health) *ConnectorHealth {
	if h == nil {
		return nil
	}
	v := &ConnectorHealth{Reason: h.WeChat.Reason, IP: h.WeChat.IP, ErrCode: h.WeChat.ErrCode}
	if h.WeChat.State == api.WeChatOK {
		v.Reason = api.ReasonOK
	}
	return v
}

// ConnectorHealth asks the connector how it is now: the Help menu's
// contact and the copied diagnostics say what it answers.
func (w *Wizard) ConnectorHealth(ctx context.Context) (*ConnectorHealth, error) {
	h, err := w.conn.Health(ctx)
	if err != nil {
		return healthView(h), err
	}
	return healthView(h), w.keepContact(ctx, h)
}

// CurrentContact asks the connector for the vendor's contact now and keeps
// it; when the connector cannot answer, the contact it gave last stands.
// ok is false when the vendor set none (or never could be asked).
func (w *Wizard) CurrentContact(ctx context.Context) (c Contact, ok bool, err error) {
	if _, herr := w.ConnectorHealth(ctx); herr != nil {
		c, ok, err = w.SupportContact(ctx)
		if err == nil && !ok {
			err = herr
		}
		return c, ok, err
	}
	return w.SupportContact(ctx)
}
