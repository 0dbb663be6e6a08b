// A valid 18-character ID number (GB 11643) fills the birth date and sex fields still empty,
// as the server does for a form sent without them. Nothing here is needed for the form to
// work: without JavaScript the server fills them.
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function facts(value) {
    var number = value.trim().toUpperCase();
    if (!/^\d{17}[\dX]$/.test(number)) return null;
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += Number(number[i]) * WEIGHTS[i];
    if (CHECK[sum % 11] !== number[17]) return null;
    var y = number.slice(6, 10), m = number.slice(10, 12), d = number.slice(12, 14);
    var day = new Date(Number(y), Number(m) - 1, Number(d));
    if (day.getMonth() !== Number(m) - 1 || day.getDate() !== Number(d)) return null;
    return {birth: y + "-" + m + "-" + d, sex: Number(number[16]) % 2 === 1 ? "male" : "female"};
  }

  function fill() {
    var found = facts(this.value);
    if (!found) return;
    var birth = document.getElementById("f-birth_date");
    var sex = document.getElementById("f-sex");
    if (birth && !birth.value) birth.value = found.birth;
    if (sex && !sex.value) sex.value = found.sex;
  }

  var input = document.getElementById("f-id_number");
  if (input) {
    input.addEventListener("input", fill);
    input.addEventListener("change", fill);
  }
})();
