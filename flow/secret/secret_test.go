package secret

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// keychain is the real OS keychain; the tests skip only when it is missing
// and OAWIZARD_REQUIRE_KEYRING is unset (CI sets it, so there they fail).
func keychain(t *testing.T) Store {
	t.Helper()
	s := Keyring(Service + "-test")
	if err := s.Set("probe", "x"); err != nil {
		if os.Getenv("OAWIZARD_REQUIRE_KEYRING") != "" {
			t.Fatalf("the keychain is required here but failed: %v", err)
		}
		t.Skipf("no keychain on this machine (%v); run under scripts/with-keyring.sh", err)
	}
	s.Delete("probe")
	return s
}

func TestRealKeychainRoundTrip(t *testing.T) {
	s := keychain(t)
	a, b := TokenKey("https://connector.example.com/"), TokenKey("https://other.example.com")
	if a == b || a != TokenKey("HTTPS://Connector.Example.com") {
		t.Fatalf("keys %q %q", a, b)
	}
	t.Cleanup(func() { s.Delete(a); s.Delete(b) })
	if err := s.Set(a, "oaw_令牌-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(b, "oaw_2"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(a); err != nil || v != "oaw_令牌-1" {
		t.Fatalf("get: %q %v", v, err)
	}
	if err := Forget(s, "https://connector.example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(a); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after forget: %v", err)
	}
	if v, _ := s.Get(b); v != "oaw_2" {
		t.Fatal("forgetting one connector removed the other's token")
	}
	if err := Forget(s, "https://connector.example.com"); err != nil {
		t.Fatalf("forgetting twice: %v", err)
	}
	r := <-GetAsync(context.Background(), s, b)
	if r.Err != nil || r.Value != "oaw_2" {
		t.Fatalf("async: %+v", r)
	}
}

type slowStore struct{ Store }

func (slowStore) Get(string) (string, error) { time.Sleep(time.Second); return "late", nil }

func TestGetAsyncGivesUpWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := GetAsync(ctx, slowStore{}, "k")
	cancel()
	select {
	case r := <-ch:
		if !errors.Is(r.Err, context.Canceled) {
			t.Fatalf("%+v", r)
		}
	case <-time.After(500 * time.Millisecond):
		t.Fatal("a cancelled read kept the caller waiting")
	}
}
