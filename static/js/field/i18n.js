/**
 * Texts of the field app. The Dutch text is the key (Dutch first, as everywhere in the product);
 * English comes from the table below when the page is in English, otherwise the Dutch stays.
 * Placeholders: %(name)s.
 */

export const lang = document.documentElement.lang === "en" ? "en" : "nl";

/**
 * Headers for our JSON API. The server answers (its error messages too) in the language asked for
 * here: the page's, not the browser's, which may be English on a Dutch page or the other way round.
 */
export function apiHeaders(extra = {}) {
  return { Accept: "application/json", "Accept-Language": lang, ...extra };
}

const EN = {
  "Gesproken": "Spoken to",
  "Niet thuis": "Not home",
  "Wil niet": "Refused",
  "Briefje achtergelaten": "Leaflet left",
  "Later terug": "Come back later",
  "Nog niet bezocht": "Not visited yet",
  "Opgeslagen, nog niet verstuurd": "Saved, not sent yet",
  "Controleer dit bezoek": "Check this visit",
  "Wacht op het juiste account": "Waiting for the right account",
  "Online": "Online",
  "Offline": "Offline",
  "Bezig met versturen…": "Sending…",
  "Alles is verstuurd.": "Everything has been sent.",
  "%(n)s bezoek verstuurd.": "%(n)s visit sent.",
  "%(n)s bezoeken verstuurd.": "%(n)s visits sent.",
  "Geen verbinding. Uw bezoeken staan veilig op deze telefoon en gaan vanzelf mee zodra er weer verbinding is.":
    "No connection. Your visits are safe on this phone and will be sent as soon as there is a connection again.",
  "Versturen lukte niet (fout %(status)s). Uw bezoeken blijven bewaard; probeer het later opnieuw.":
    "Sending failed (error %(status)s). Your visits are kept; try again later.",
  "Pas %(n)s bezoek aan. Daarna kan de app het versturen.":
    "Correct %(n)s visit. Then the app can send it.",
  "Pas %(n)s bezoeken aan. Daarna kan de app ze versturen.":
    "Correct %(n)s visits. Then the app can send them.",
  "Tijdstip van het bezoek": "Time of the visit",
  "Versie van de vragenlijst": "Questionnaire version",
  "Opgeslagen op deze telefoon.": "Saved on this phone.",
  "Opslaan lukte niet op deze telefoon (%(error)s). Probeer het opnieuw. Lukt het weer niet? Schrijf het bezoek op papier.": "Could not save on this phone (%(error)s). Try again. Still not working? Write the visit down on paper.",
  "Deze route is niet (meer) voor u. Kies een andere route, of vraag het uw coördinator.": "This route is not (or no longer) yours. Choose another route, or ask your coordinator.",
  "U kunt op deze route geen bezoeken opslaan. Vraag uw coördinator om u aan de route toe te voegen.": "You cannot save visits on this route. Ask your coordinator to add you to the route.",
  "Deze route staat nog niet op deze telefoon. Open hem één keer als u internet heeft.":
    "This route is not on this phone yet. Open it once while you have internet.",
  "Gegevens van %(time)s (zonder verbinding).": "Data from %(time)s (offline).",
  "Dit buurtonderzoek is gesloten. U kunt geen nieuwe bezoeken meer opslaan. Ga terug naar uw routes.":
    "This canvass is closed. You can no longer save new visits. Go back to your routes.",
  "De kaart is nu niet beschikbaar. Loop de adressen hieronder in volgorde.":
    "The map is not available right now. Walk the addresses below in order.",
  "Eerder: %(list)s": "Earlier: %(list)s",
  "door u": "by you",
  "door %(name)s": "by %(name)s",
  "Aanpassen": "Correct",
  "Verwijderen": "Delete",
  "Dit bezoek van deze telefoon verwijderen? Het is nog niet verstuurd.":
    "Delete this visit from this phone? It has not been sent.",
  "Wat moet er anders:": "What needs to change:",
  "Offline beschikbaar": "Available offline",
  "Nog niet offline beschikbaar": "Not available offline yet",
  "De coördinator heeft een vraag over uw bezoek": "The coordinator has a question about your visit",
  "Vraag van de coördinator:": "Question from the coordinator:",
  "Bezoek aanvullen": "Complete the visit",
  "Uitkomst": "Outcome",
};

export function t(text, vars) {
  let out = (lang === "en" && EN[text]) || text;
  if (vars) {
    out = out.replace(/%\((\w+)\)s/g, (match, name) => (name in vars ? String(vars[name]) : match));
  }
  return out;
}

/** Singular or plural (Dutch and English both have one form for 1 and one for the rest). */
export function tn(singular, plural, n, vars) {
  return t(n === 1 ? singular : plural, { n, ...vars });
}

const timeFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "nl-NL", {
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
});

export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : timeFormat.format(date);
}
