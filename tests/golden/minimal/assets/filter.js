// Filter the home page's model table by status and risk. Without JavaScript every row shows.
(function () {
  "use strict";
  var form = document.getElementById("model-filter");
  var table = document.querySelector("table.models");
  if (!form || !table) { return; }
  form.hidden = false;
  var status = form.querySelector("[name=status]");
  var risk = form.querySelector("[name=risk]");
  var count = document.getElementById("model-count");
  function apply() {
    var shown = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var visible = (!status.value || row.dataset.status === status.value) &&
                    (!risk.value || row.dataset.risk === risk.value);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown + " shown";
  }
  status.addEventListener("change", apply);
  risk.addEventListener("change", apply);
  apply();
}());
