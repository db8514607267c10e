// Rank questions (consultations): turns the "position" selects into a list that people put in
// order by dragging, or with Move up and Move down buttons (keyboard and screen-reader friendly).
// The selects stay in the form, hidden, and carry the order, so the server receives exactly the
// same fields as without JavaScript and checks them the same way.

function enhance (root) {
  const entries = Array.from(root.querySelectorAll('[data-rank-item]'))
  if (!entries.length) return
  const selectFor = new Map(entries.map((entry) => [entry.dataset.value, entry.querySelector('[data-rank-select]')]))
  const labelFor = new Map(entries.map((entry) => [entry.dataset.value, entry.dataset.label]))
  const count = entries.length

  // Start from the positions already given (blank ones last, in the order of the choices).
  const start = entries.map((entry, index) => {
    const position = parseInt(selectFor.get(entry.dataset.value).value, 10)
    return { value: entry.dataset.value, position: Number.isNaN(position) ? Infinity : position, index }
  })
  const positions = start.map((item) => item.position)
  let ordered = positions.every((p) => p !== Infinity) && new Set(positions).size === count
  start.sort((a, b) => (a.position - b.position) || (a.index - b.index))

  // The hint written for the selects no longer fits; say how the list works instead.
  const instructions = 'Drag the options into order, or use the Move up and Move down buttons. Put the one you prefer most at the top.'
  const fieldset = root.closest('fieldset')
  const selectHint = fieldset && fieldset.querySelector('[data-rank-default-hint]')
  let hint = null
  if (selectHint) {
    selectHint.textContent = instructions
  } else {
    hint = document.createElement('p')
    hint.className = 'govuk-hint'
    hint.textContent = instructions
  }

  const status = document.createElement('p')
  status.className = 'govuk-body shire-rank__status'

  const announcer = document.createElement('div')
  announcer.className = 'govuk-visually-hidden'
  announcer.setAttribute('aria-live', 'polite')

  const list = document.createElement('ol')
  list.className = 'shire-rank__list'
  // Error summary links point at the first select's id: let them land on the list instead.
  const firstSelect = selectFor.get(entries[0].dataset.value)
  list.id = firstSelect.id
  list.tabIndex = -1
  firstSelect.id = firstSelect.id + '-select'
  const firstLabel = entries[0].querySelector('label')
  if (firstLabel) firstLabel.htmlFor = firstSelect.id

  const keep = document.createElement('button')
  keep.type = 'button'
  keep.className = 'govuk-button govuk-button--secondary'
  keep.textContent = 'Use this order'

  function button (text, value) {
    const b = document.createElement('button')
    b.type = 'button'
    b.className = 'govuk-button govuk-button--secondary'
    b.append(text)
    const hidden = document.createElement('span')
    hidden.className = 'govuk-visually-hidden'
    hidden.textContent = ' ' + labelFor.get(value)
    b.append(hidden)
    return b
  }

  for (const item of start) {
    const li = document.createElement('li')
    li.className = 'govuk-body shire-rank__entry'
    li.draggable = true
    li.dataset.value = item.value
    const label = document.createElement('span')
    label.className = 'govuk-body govuk-!-margin-bottom-0 shire-rank__entry-label'
    label.textContent = labelFor.get(item.value)
    const up = button('Move up', item.value)
    up.dataset.move = '-1'
    const down = button('Move down', item.value)
    down.dataset.move = '1'
    li.append(label, up, down)
    list.append(li)
  }

  function sync () {
    const items = Array.from(list.children)
    items.forEach((li, index) => {
      if (ordered) selectFor.get(li.dataset.value).value = String(index + 1)
      li.querySelector('[data-move="-1"]').disabled = index === 0
      li.querySelector('[data-move="1"]').disabled = index === items.length - 1
    })
    root.classList.toggle('shire-rank--unordered', !ordered)
    keep.style.display = ordered ? 'none' : ''
    status.textContent = ordered
      ? 'Your order is shown, from 1 (most preferred) to ' + count + '.'
      : 'You have not put these in order yet.'
  }

  function announce (li) {
    const position = Array.from(list.children).indexOf(li) + 1
    announcer.textContent = labelFor.get(li.dataset.value) + ' is now number ' + position + ' of ' + count + '.'
  }

  list.addEventListener('click', (event) => {
    const b = event.target.closest('button[data-move]')
    if (!b) return
    const li = b.closest('li')
    const delta = parseInt(b.dataset.move, 10)
    if (delta < 0 && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling)
    if (delta > 0 && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li)
    ordered = true
    sync()
    announce(li)
    // Keep focus on the button pressed, or its partner when the entry reaches the top or bottom.
    const again = li.querySelector('[data-move="' + delta + '"]')
    ;(again.disabled ? li.querySelector('[data-move="' + -delta + '"]') : again).focus()
  })

  let dragging = null
  list.addEventListener('dragstart', (event) => {
    dragging = event.target.closest('li')
    if (!dragging) return
    dragging.classList.add('shire-rank__entry--dragging')
    event.dataTransfer.effectAllowed = 'move'
    event.dataTransfer.setData('text/plain', dragging.dataset.value)
  })
  list.addEventListener('dragover', (event) => {
    if (!dragging) return
    event.preventDefault()
    const after = Array.from(list.children).find((li) => {
      if (li === dragging) return false
      const box = li.getBoundingClientRect()
      return event.clientY < box.top + box.height / 2
    })
    if (after) list.insertBefore(dragging, after)
    else list.append(dragging)
  })
  list.addEventListener('drop', (event) => event.preventDefault())
  list.addEventListener('dragend', () => {
    if (!dragging) return
    dragging.classList.remove('shire-rank__entry--dragging')
    ordered = true
    sync()
    announce(dragging)
    dragging = null
  })

  keep.addEventListener('click', () => {
    ordered = true
    sync()
    announcer.textContent = 'Order kept as shown.'
    list.focus()
  })

  // Hidden, not removed or disabled: the selects are still sent with the form.
  entries.forEach((entry) => { entry.style.display = 'none' })
  root.prepend(...[hint, status, list, keep, announcer].filter(Boolean))
  sync()
}

document.querySelectorAll('[data-module="shire-rank"]').forEach(enhance)
