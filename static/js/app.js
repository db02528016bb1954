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
