package store

import (
	"context"
	"time"
)

// Account is one OA or mini program taking part in the setup.
type Account struct {
	AppID, Kind, NickName string
	AddedAt               time.Time
}

// Accounts lists the accounts in the order they were added.
func (d *DB) Accounts(ctx context.Context) ([]Account, error) {
	rs, err := d.db.QueryContext(ctx, `SELECT appid, kind, nick_name, added_at FROM accounts ORDER BY added_at, appid`)
	if err != nil {
		return nil, classify(err)
	}
	defer rs.Close()
	var out []Account
	for rs.Next() {
		var a Account
		var at int64
		if err := rs.Scan(&a.AppID, &a.Kind, &a.NickName, &at); err != nil {
			return nil, classify(err)
		}
		a.AddedAt = time.Unix(at, 0)
		out = append(out, a)
	}
	return out, classify(rs.Err())
}

// DeleteAccount removes an account the admin took out of the setup.
func (d *DB) DeleteAccount(ctx context.Context, appid string) error {
	_, err := d.exec(ctx, `DELETE FROM accounts WHERE appid = ?`, appid)
	return classify(err)
}
