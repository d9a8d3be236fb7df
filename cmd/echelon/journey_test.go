package main

import (
	"testing"
)

// TestJourney_AdminBuildsATeamAndTheRepSeesTheirPage is the foundation's
// browser journey: the admin signs in, creates a region and a team, adds a
// regional manager and a rep; the rep signs in, sees their own page in
// Chinese, switches to English. Screenshots land in artifacts/.
func TestJourney_AdminBuildsATeamAndTheRepSeesTheirPage(t *testing.T) {
	j := startJourney(t)
	b, zh, en, signIn := j.browser, j.zh, j.en, j.signIn
	signIn("admin@example.com", "admin-secret-1")
	b.shot("journey-admin-home")

	b.open("/org")
	b.choose("f-kind", "region")
	b.fill("f-name", "华东大区")
	b.submit(`#new-unit button[type=submit]`, `document.querySelector(".flash") !== null`)
	b.open("/org")
	b.choose("f-parent_id", "华东大区")
	b.choose("f-kind", "team")
	b.fill("f-name", "上海一组")
	b.submit(`#new-unit button[type=submit]`, `document.querySelector(".flash") !== null`)
	b.open("/org")
	b.has("org tree", "华东大区", "上海一组")
	b.shot("journey-org-tree")

	addPerson := func(name, email, role, unit, manager string) {
		b.open("/people/new")
		b.fill("f-name", name)
		b.fill("f-email", email)
		b.choose("f-role", role)
		b.choose("f-org_unit_id", unit)
		if manager != "" {
			b.choose("f-manager_id", manager)
		}
		b.choose("f-lang", "zh-CN")
		b.fill("f-password", "first-pass-123")
		b.submit(`form[action="/people"] button[type=submit]`, `document.querySelector(".flash") !== null`)
		b.has("person "+name, name)
	}
	addPerson("王经理", "wang@example.com", "regional_manager", "华东大区", "")
	addPerson("李销售", "li@example.com", "rep", "上海一组", "王经理")

	b.submit(`form[action="/logout"] button`, `location.pathname === "/login"`)
	signIn("li@example.com", "first-pass-123")
	b.open("/people")
	b.submit(`a[href^="/people/"]:not([href="/people/new"])`, `/^\/people\/\d+$/.test(location.pathname)`)
	b.has("own page in Chinese", "李销售", zh("role.rep"), "上海一组", "王经理", zh("person.responsibility"))
	b.shot("journey-rep-zh")
	b.viewport(390, 844, true)
	b.shot("journey-rep-zh-phone")
	b.viewport(1280, 900, false)

	b.submit(`button[name=lang][value=en]`, `document.documentElement.lang === "en"`)
	b.has("own page in English", "李销售", en("role.rep"), en("person.responsibility"))
	b.shot("journey-rep-en")
}
