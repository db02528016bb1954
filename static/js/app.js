// Organisation picker: a search result click fills the hidden field named by the picker.
document.addEventListener("click", function (event) {
  const option = event.target.closest("[data-pick-id]");
  if (!option) return;
  const picker = option.closest("[data-picker]");
  const form = picker.closest("form");
  const input = form.querySelector('input[name="' + picker.dataset.picker + '"]');
  input.value = option.dataset.pickId;
  picker.querySelector(".pick-label").textContent = option.dataset.pickLabel;
  picker.querySelectorAll(".pick-option").forEach(function (el) { el.classList.remove("chosen"); });
  option.classList.add("chosen");
});

// Searchable department select: typing filters the options of the select it names.
document.addEventListener("input", function (event) {
  const box = event.target.closest(".dept-filter");
  if (!box) return;
  const select = document.getElementById(box.dataset.filterFor);
  const needle = box.value.trim();
  Array.from(select.options).forEach(function (option) {
    option.hidden = needle !== "" && !option.text.includes(needle) && !option.selected;
  });
});

// "Select all": a checkbox with data-check-all="name" ticks every checkbox of that name.
document.addEventListener("change", function (event) {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]').forEach(function (box) {
    box.checked = all.checked;
  });
});

// No inline handlers (the Content-Security-Policy refuses them): behaviour is named by data attributes.
// A form with data-confirm asks before it is sent.
document.addEventListener("submit", function (event) {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// A button with data-remove-row removes its table row (an unsaved new row's 取消).
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-remove-row]");
  if (button) button.closest("tr").remove();
});

// A select with data-navigate-query goes to the address chosen, with that query string.
document.addEventListener("change", function (event) {
  const select = event.target.closest("select[data-navigate-query]");
  if (select) window.location.href = select.value + select.dataset.navigateQuery;
});
