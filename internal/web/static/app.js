// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // The phone menu.
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && nav.classList.contains("open")) {
        nav.classList.remove("open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  // The menus of the navigation: one open at a time, closed by a click elsewhere or Escape.
  const groups = [...document.querySelectorAll("details.nav-group")];
  groups.forEach((g) => g.addEventListener("toggle", () => {
    if (g.open) groups.forEach((o) => { if (o !== g) o.open = false; });
  }));
  document.addEventListener("click", (e) => {
    groups.forEach((g) => { if (g.open && !g.contains(e.target)) g.open = false; });
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") groups.forEach((g) => { g.open = false; });
  });

  // Forms that change something hard to undo ask first; the text comes from the page.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  });

  // Copy buttons (hidden until the script can make them work).
  document.querySelectorAll("[data-copy]").forEach((btn) => {
    const target = document.querySelector(btn.dataset.copy);
    if (!target || !navigator.clipboard) return;
    btn.hidden = false;
    btn.addEventListener("click", () => {
      navigator.clipboard.writeText(target.textContent.trim()).then(() => {
        btn.textContent = btn.dataset.copied;
      });
    });
  });
});
