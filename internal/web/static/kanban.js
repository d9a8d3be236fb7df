// The pipeline board: drag a deal card to another stage, or use the card's
// Move form, and the move is saved with PATCH /api/v1/opportunities/{id}.
// Without this script every card's Move form posts and the page reloads.
document.addEventListener("DOMContentLoaded", () => {
  const board = document.getElementById("board");
  if (!board) return;
  const status = document.getElementById("board-status");
  let dragged = null;

  // Amounts are minor units; the page writes them as 12,345.67 CNY.
  const money = (minor, currency) => {
    const neg = minor < 0;
    const abs = Math.abs(minor);
    const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const cents = String(abs % 100).padStart(2, "0");
    return (neg ? "-" : "") + whole + "." + cents + " " + currency;
  };

  const say = (text, isError) => {
    if (!status) return;
    status.textContent = text;
    status.hidden = false;
    status.className = isError ? "board-status alert" : "board-status flash";
    status.setAttribute("role", isError ? "alert" : "status");
  };

  const columnOf = (el) => el.closest(".board-col");
  const columnFor = (stageId) => board.querySelector(`.board-col[data-stage-id="${stageId}"]`);

  // add moves a card's amount into or out of a column's count and totals.
  const add = (col, card, sign) => {
    const count = col.querySelector("[data-count]");
    const n = Number(count.dataset.count) + sign;
    count.dataset.count = String(n);
    count.textContent = count.textContent.replace(/^\d+/, String(n));
    const totals = col.querySelector(".board-totals");
    const cur = card.dataset.currency;
    let t = totals.querySelector(`.board-total[data-currency="${cur}"]`);
    if (!t) {
      t = document.createElement("span");
      t.className = "board-total";
      t.dataset.currency = cur;
      t.dataset.total = "0";
      totals.insertBefore(t, totals.querySelector("[data-none]"));
    }
    const sum = Number(t.dataset.total) + sign * Number(card.dataset.amount);
    t.dataset.total = String(sum);
    t.textContent = money(sum, cur);
    const none = totals.querySelector("[data-none]");
    if (none) none.hidden = totals.querySelectorAll(".board-total[data-currency]").length > 0;
    const empty = col.querySelector(".board-empty");
    if (empty) empty.hidden = col.querySelectorAll(".deal").length > 0;
  };

  // place puts a card at the top of a column's list (or back where it was).
  const place = (card, col, before) => {
    const list = col.querySelector(".board-cards");
    list.insertBefore(card, before && before.parentNode === list ? before : list.firstChild);
  };

  const move = async (card, target, reason) => {
    const from = columnOf(card);
    if (!target || target === from) return;
    if (target.dataset.outcome === "lost" && !reason) {
      reason = window.prompt(board.dataset.lostPrompt, "");
      if (reason === null || reason.trim() === "") return;
    }
    const back = card.nextElementSibling;
    const form = card.querySelector(".move-form");
    place(card, target);
    add(from, card, -1);
    add(target, card, +1);
    card.classList.add("deal-saving");
    const body = { stage_id: Number(target.dataset.stageId), version: Number(card.dataset.version) };
    if (reason) body.lost_reason = reason.trim();
    let res, data;
    try {
      res = await fetch(`/api/v1/opportunities/${card.dataset.id}`, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": board.dataset.csrf, Accept: "application/json" },
        body: JSON.stringify(body),
      });
      data = await res.json().catch(() => null);
    } catch (e) {
      res = null;
    }
    card.classList.remove("deal-saving");
    if (!res || !res.ok) {
      add(target, card, -1);
      add(from, card, +1);
      place(card, from, back);
      const msg = data && data.error && data.error.message ? data.error.message : board.dataset.failed;
      say(msg, true);
      card.classList.add("deal-failed");
      const link = card.querySelector(".deal-name");
      if (link) link.focus();
      return;
    }
    card.classList.remove("deal-failed");
    card.dataset.version = String(data.version);
    let note = card.querySelector(".deal-reason");
    if (data.lost_reason) {
      if (!note) {
        note = document.createElement("div");
        note.className = "deal-reason";
        card.insertBefore(note, card.querySelector(".deal-move"));
      }
      note.textContent = data.lost_reason;
    } else if (note) {
      note.remove();
    }
    if (form) {
      form.querySelector('input[name="version"]').value = String(data.version);
      form.querySelector('select[name="stage_id"]').value = String(data.stage_id);
      form.querySelector('input[name="lost_reason"]').value = "";
      const details = form.closest("details");
      if (details) details.open = false;
    }
    const name = card.querySelector(".deal-name");
    say(board.dataset.moved.replace("%s", name ? name.textContent : "").replace("%s", target.querySelector("h2").firstChild.textContent.trim()), false);
  };

  board.querySelectorAll(".deal").forEach((card) => {
    card.addEventListener("dragstart", (e) => {
      dragged = card;
      card.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.dataset.id);
    });
    card.addEventListener("dragend", () => {
      card.classList.remove("dragging");
      board.querySelectorAll(".drop-target").forEach((c) => c.classList.remove("drop-target"));
      dragged = null;
    });
    // The Move form saves in place too, so keyboard users get the same behaviour.
    const form = card.querySelector(".move-form");
    if (form) {
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const stage = form.querySelector('select[name="stage_id"]').value;
        move(card, columnFor(stage), form.querySelector('input[name="lost_reason"]').value.trim());
      });
    }
  });

  board.querySelectorAll(".board-col").forEach((col) => {
    col.addEventListener("dragover", (e) => {
      if (!dragged) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      col.classList.add("drop-target");
    });
    col.addEventListener("dragleave", (e) => {
      if (!col.contains(e.relatedTarget)) col.classList.remove("drop-target");
    });
    col.addEventListener("drop", (e) => {
      e.preventDefault();
      col.classList.remove("drop-target");
      const card = dragged || document.getElementById("deal-" + e.dataTransfer.getData("text/plain"));
      if (card) move(card, col, "");
    });
  });
});
