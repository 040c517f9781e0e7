// Package secrettest gives tests a keychain: the system's own where the
// machine has one (CI runs a real Secret Service), else one in memory, so
// the code that keeps secrets is tested on every machine.
package secrettest

import (
	"errors"
	"os"
	"sync"
	"testing"

	"oawizard/flow/secret"
)

// Memory is a keychain held in memory.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// Len is how many entries the keychain holds.
func (k *Memory) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}

// NewMemory returns an empty in-memory keychain.
func NewMemory() *Memory { return &Memory{m: map[string]string{}} }

func (k *Memory) Get(key string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key]
	if !ok {
		return "", secret.ErrNotFound
	}
	return v, nil
}

func (k *Memory) Set(key, v string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[key] = v
	return nil
}

func (k *Memory) Delete(key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, key)
	return nil
}

// System is the system keychain, under a service name of the tests' own,
// when this machine has one; else a Memory, logged, unless
// OAWIZARD_REQUIRE_KEYRING is set (CI), where its absence fails the test.
// Every entry the test sets is removed from the system keychain when the
// test ends, so no test leaves a secret behind for the next.
func System(t testing.TB) secret.Store {
	t.Helper()
	kc := secret.Keyring(secret.Service + "-test")
	if err := kc.Set("probe", "x"); err != nil {
		if os.Getenv("OAWIZARD_REQUIRE_KEYRING") != "" {
			t.Fatalf("the keychain is required here but failed: %v", err)
		}
		t.Logf("no system keychain (%v): one in memory stands in; run under scripts/with-keyring.sh", err)
		return NewMemory()
	}
	kc.Delete("probe")
	c := &cleaned{Store: kc, set: map[string]bool{}}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for key := range c.set {
			if err := kc.Delete(key); err != nil && !errors.Is(err, secret.ErrNotFound) {
				t.Errorf("the test's keychain entry %q stays: %v", key, err)
			}
		}
	})
	return c
}

// cleaned is a keychain that remembers what was set in it.
type cleaned struct {
	secret.Store
	mu  sync.Mutex
	set map[string]bool
}

func (c *cleaned) Set(key, v string) error {
	c.mu.Lock()
	c.set[key] = true
	c.mu.Unlock()
	return c.Store.Set(key, v)
}
