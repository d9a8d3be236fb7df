package importer_test

import (
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/sheet"
)

func csvTable(t *testing.T, text string) *sheet.Table {
	t.Helper()
	tab, err := sheet.ReadCSV([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestImport_AccountsAllOrNothingWithDryRunAndReimport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		svc, _ := newService(d)
		file := "编号,客户名称,行业,城市,电话,备注\n" +
			"A1,华为技术有限公司,电信,深圳,0755-28780808,首选\n" +
			"A2,阿里巴巴（中国）有限公司,互联网,杭州,,\n" +
			"A3,ACME Co. Ltd.,manufacturing,Shanghai,,\n"
		req := importer.Request{Entity: importer.Accounts, File: "accounts.csv", Table: csvTable(t, file), DryRun: true}

		dry, err := svc.Import(admin(), req)
		if err != nil {
			t.Fatal(err)
		}
		if dry.Created != 3 || dry.Committed || count(t, d, `SELECT COUNT(*) FROM accounts`) != 0 {
			t.Fatalf("dry run: created %d committed %v, accounts in db %d", dry.Created, dry.Committed, count(t, d, `SELECT COUNT(*) FROM accounts`))
		}
		if len(dry.Ignored) != 1 || dry.Ignored[0] != "备注" || dry.Mapping["客户名称"] != "name" || dry.Mapping["编号"] != "external_id" {
			t.Fatalf("mapping %v, ignored %v", dry.Mapping, dry.Ignored)
		}

		req.DryRun = false
		rep, err := svc.Import(admin(), req)
		if err != nil || !rep.Committed || rep.Created != 3 {
			t.Fatalf("import: %+v, %v", rep, err)
		}

		// Re-import: A1 unchanged, A2 changes city, a column absent from the file keeps its value.
		again := "编号,客户名称,城市\nA1,华为技术有限公司,深圳\nA2,阿里巴巴（中国）有限公司,北京\n"
		rep, err = svc.Import(admin(), importer.Request{Entity: importer.Accounts, File: "again.csv", Table: csvTable(t, again)})
		if err != nil || !rep.Committed || rep.Skipped != 1 || rep.Updated != 1 || rep.Created != 0 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM accounts WHERE external_id = 'A1' AND industry = '电信' AND phone = '075528780808'`); n != 1 {
			t.Fatal("a column absent from the re-imported file blanked a field")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM accounts WHERE external_id = 'A2' AND city = '北京'`); n != 1 {
			t.Fatal("the re-import did not update A2")
		}

		// One bad row (a duplicate of A1 without external id, an invalid phone): nothing is written.
		bad := "客户名称,电话\n新客户甲,\n华为技术,\n新客户乙,abc\n"
		before := count(t, d, `SELECT COUNT(*) FROM accounts`)
		rep, err = svc.Import(admin(), importer.Request{Entity: importer.Accounts, File: "bad.csv", Table: csvTable(t, bad)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Committed || rep.Failed != 2 || rep.Created != 1 || rep.Rows != 3 || count(t, d, `SELECT COUNT(*) FROM accounts`) != before {
			t.Fatalf("bad file: %+v; accounts %d → %d", rep, before, count(t, d, `SELECT COUNT(*) FROM accounts`))
		}
		if e := rep.Results[1].Error; e == nil || e.Key != "account.duplicate_pool" || rep.Results[1].Line != 3 {
			t.Fatalf("line 3: %+v", rep.Results[1])
		}
		if e := rep.Results[2].Error; e == nil || e.Field != "phone" {
			t.Fatalf("line 4: %+v", rep.Results[2])
		}
	})
}

func TestImport_GBKFileAndBadMapping(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		svc, _ := newService(d)
		gbk, err := simplifiedchinese.GBK.NewEncoder().String("产品编码,产品名称,系列,价格\nP-1,企业版,旗舰,12800.00\n")
		if err != nil {
			t.Fatal(err)
		}
		tab, err := sheet.ReadCSV([]byte(gbk))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := svc.Import(admin(), importer.Request{Entity: importer.Products, File: "p.csv", Table: tab})
		if err != nil || !rep.Committed || rep.Created != 1 || rep.Encoding != "GB18030" {
			t.Fatalf("GBK import: %+v, %v", rep, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM products WHERE name = '企业版' AND list_price = 1280000`); n != 1 {
			t.Fatal("GBK product not stored exactly")
		}
		_, err = svc.Import(admin(), importer.Request{Entity: importer.Products, File: "p.csv", Table: tab,
			Mapping: map[string]string{"产品编码": "code", "产品名称": "code"}})
		if echelon.ErrorCode(err) != echelon.EINVALID {
			t.Fatalf("a field mapped twice: err = %v", err)
		}
	})
}

func TestImport_RepsImportOnlyIntoTheirOwnScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		svc, _ := newService(d)
		mkt := echelon.NewContext(admin(), &echelon.Actor{PersonID: 99, Name: "mkt", Role: echelon.RoleMarketing, UnitID: 1, UnitPath: "/1/"})
		_, err := svc.Import(mkt, importer.Request{Entity: importer.Accounts, File: "a.csv", Table: csvTable(t, "name\nX\n")})
		if echelon.ErrorCode(err) != echelon.EFORBIDDEN {
			t.Fatalf("marketing importing accounts: err = %v, want forbidden", err)
		}
		_, err = svc.Import(mkt, importer.Request{Entity: importer.Products, File: "p.csv", Table: csvTable(t, "code,name,list_price\nP,P,1\n")})
		if echelon.ErrorCode(err) != echelon.EFORBIDDEN {
			t.Fatalf("marketing importing products: err = %v, want forbidden", err)
		}
	})
}

func TestImport_ActivitiesOnImportedAccountsAndOpportunities(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		svc, _ := newService(d)
		people := "email,name,role,org_unit\nli@example.com,李销售,rep,华东大区\n"
		if rep, err := svc.Import(admin(), importer.Request{Entity: importer.People, File: "p.csv", Table: csvTable(t, people)}); err != nil || !rep.Committed {
			t.Fatalf("people: %+v %v", rep, err)
		}
		accounts := "external_id,name,owner_email\nA1,上海云杉科技有限公司,li@example.com\n"
		if rep, err := svc.Import(admin(), importer.Request{Entity: importer.Accounts, File: "a.csv", Table: csvTable(t, accounts)}); err != nil || !rep.Committed {
			t.Fatalf("accounts: %+v %v", rep, err)
		}
		opps := "external_id,name,account_external_id,owner_email,stage,amount\nO1,云杉项目,A1,li@example.com,qualification,50000\n"
		if rep, err := svc.Import(admin(), importer.Request{Entity: importer.Opportunities, File: "o.csv", Table: csvTable(t, opps)}); err != nil || !rep.Committed {
			t.Fatalf("opportunities: %+v %v", rep, err)
		}
		file := "编号,类型,主题,时间,负责人邮箱,客户编号,商机编号,结果,下一步,下一步时间\n" +
			"X1,拜访,首次拜访,2026-05-06 14:30,li@example.com,A1,,了解需求,发方案,2026-05-10\n" +
			"X2,call,电话跟进,2026-05-08,li@example.com,,O1,确认预算,,\n"
		req := importer.Request{Entity: importer.Activities, File: "x.csv", Table: csvTable(t, file)}
		rep, err := svc.Import(admin(), req)
		if err != nil || !rep.Committed || rep.Created != 2 {
			t.Fatalf("activities: %+v %v", rep, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM activities a JOIN people p ON p.id = a.owner_id WHERE p.email = 'li@example.com' AND a.account_id IS NOT NULL`); n != 2 {
			t.Fatalf("%d activities of 李销售 with an account, want 2 (the opportunity's gives its account)", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM accounts WHERE external_id = 'A1' AND last_activity_at IS NOT NULL`); n != 1 {
			t.Fatal("the imported activities did not count as a follow-up of the account")
		}
		again, err := svc.Import(admin(), req)
		if err != nil || again.Skipped != 2 || again.Created != 0 || count(t, d, `SELECT COUNT(*) FROM activities`) != 2 {
			t.Fatalf("re-import logged activities twice: %+v %v", again, err)
		}
		bad := "编号,类型,主题,时间,负责人邮箱\nX3,拍照,x,2026-05-06,li@example.com\nX4,call,y,明天,li@example.com\nX5,call,z,2026-05-06,\n"
		rep, err = svc.Import(admin(), importer.Request{Entity: importer.Activities, File: "bad.csv", Table: csvTable(t, bad)})
		if err != nil || rep.Committed || rep.Failed != 3 || rep.Results[0].Error.Field != "kind" || rep.Results[1].Error.Field != "at" ||
			rep.Results[2].Error.Field != "owner_email" {
			t.Fatalf("bad activities: %+v %v", rep, err)
		}
	})
}
