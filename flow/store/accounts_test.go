package store

import (
	"context"
	"testing"
)

func TestAccountsCRUD(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	if err := d.SetAccount(ctx, "wxoa", "oa", "示例号"); err != nil {
		t.Fatal(err)
	}
	if err := d.SetAccount(ctx, "wxmp", "mp", ""); err != nil {
		t.Fatal(err)
	}
	// An empty nick name later must not wipe the known one.
	if err := d.SetAccount(ctx, "wxoa", "oa", ""); err != nil {
		t.Fatal(err)
	}
	as, err := d.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Account{}
	for _, a := range as {
		got[a.AppID] = a
	}
	if len(got) != 2 || got["wxoa"].NickName != "示例号" || got["wxmp"].Kind != "mp" {
		t.Fatalf("accounts = %+v", as)
	}
	if err := d.DeleteAccount(ctx, "wxmp"); err != nil {
		t.Fatal(err)
	}
	if as, _ := d.Accounts(ctx); len(as) != 1 || as[0].AppID != "wxoa" {
		t.Fatalf("after delete: %+v", as)
	}
}
