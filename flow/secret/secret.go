// Package secret keeps the connector token in the operating system's
// keychain (Windows Credential Manager, macOS Keychain, the Secret Service on
// Linux), never in a file.
package secret

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/zalando/go-keyring"
)

// Service is the name entries are filed under.
const Service = "oawizard"

var (
	// ErrNotFound: nothing stored under the key.
	ErrNotFound = errors.New("secret: not in the keychain")
	// ErrUnavailable: no keychain answered (on Linux, no Secret Service
	// is running or it is locked and nobody unlocked it).
	ErrUnavailable = errors.New("secret: the system keychain is not available")
)

// Store is a keychain.
type Store interface {
	Get(key string) (string, error)
	Set(key, value string) error
	Delete(key string) error
}

// Keyring is the OS keychain under service.
func Keyring(service string) Store { return osKeyring{service} }

type osKeyring struct{ service string }

func (k osKeyring) Get(key string) (string, error) {
	v, err := keyring.Get(k.service, key)
	return v, mapErr(err)
}

func (k osKeyring) Set(key, value string) error { return mapErr(keyring.Set(k.service, key, value)) }

func (k osKeyring) Delete(key string) error { return mapErr(keyring.Delete(k.service, key)) }

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return ErrUnavailable
	}
	// Linux without a Secret Service fails inside D-Bus with messages
	// that vary by distribution; the keychain is unusable either way.
	msg := err.Error()
	if strings.Contains(msg, "dbus") || strings.Contains(msg, "org.freedesktop") || strings.Contains(msg, "secret") {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return err
}

// TokenKey is where the project token for a connector URL lives, so signing
// in to two connectors keeps two tokens.
func TokenKey(connectorURL string) string {
	u, err := url.Parse(strings.TrimSpace(connectorURL))
	if err != nil || u.Host == "" {
		return "connector:" + strings.TrimRight(strings.TrimSpace(connectorURL), "/")
	}
	return "connector:" + strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/")
}

// Result is an asynchronous read's outcome.
type Result struct {
	Value string
	Err   error
}

// GetAsync reads key in a goroutine, because unlocking a keychain can show
// a prompt and block; the window stays responsive and ctx can give up.
func GetAsync(ctx context.Context, s Store, key string) <-chan Result {
	out := make(chan Result, 1)
	inner := make(chan Result, 1)
	go func() {
		v, err := s.Get(key)
		inner <- Result{v, err}
	}()
	go func() {
		select {
		case r := <-inner:
			out <- r
		case <-ctx.Done():
			out <- Result{Err: ctx.Err()}
		}
	}()
	return out
}

// Forget removes a connector's token (sign-out); a missing one is fine.
func Forget(s Store, connectorURL string) error {
	if err := s.Delete(TokenKey(connectorURL)); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}
