/**
 * Shared by the field pages: the service worker registration and the sync bar (network state,
 * number of unsent visits, "Nu versturen", and the "log in again" notice when the session expired).
 */

import { t, tn } from "./i18n.js";
import { syncOutbox } from "./outbox.js";
import { allVisits } from "./store.js";

const AUTO_SYNC_MS = 30000;

export function registerServiceWorker(url) {
  if (!("serviceWorker" in navigator) || !url) return Promise.resolve(null);
  return navigator.serviceWorker.register(url, { scope: "/" }).catch(() => null);
}

export class SyncBar {
  constructor(root, { onSynced } = {}) {
    this.root = root;
    this.url = root.dataset.sync;
    this.cookieName = root.dataset.csrfCookie;
    this.onSynced = onSynced || (() => {});
    this.count = root.querySelector("#unsent-count");
    this.net = root.querySelector("#net-state");
    this.message = root.querySelector("#sync-message");
    this.login = root.querySelector("#login-needed");
    this.button = root.querySelector("#send-now");
    this.visits = [];
    this.button.addEventListener("click", () => this.sync({ manual: true }));
    window.addEventListener("online", () => {
      this.showNet();
      this.sync();
    });
    window.addEventListener("offline", () => this.showNet());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.sync();
    });
    setInterval(() => {
      if (document.visibilityState === "visible" && this.visits.some((v) => v.state !== "rejected")) this.sync();
    }, AUTO_SYNC_MS);
    this.showNet();
  }

  showNet() {
    const online = navigator.onLine;
    this.net.dataset.state = online ? "online" : "offline";
    this.net.textContent = online ? t("Online") : t("Offline");
  }

  /** Re-read the outbox and show how many visits are still on the phone. */
  async refresh() {
    this.visits = await allVisits();
    const n = this.visits.length;
    this.count.textContent = String(n);
    this.count.dataset.count = String(n);
    this.button.disabled = n === 0;
    return this.visits;
  }

  setState(state, text) {
    this.root.dataset.syncState = state;
    this.message.textContent = text || "";
  }

  async sync({ manual = false } = {}) {
    await this.refresh();
    if (!this.visits.some((v) => v.state !== "rejected")) {
      this.reportRejected();
      return null;
    }
    if (!manual && !navigator.onLine) {
      this.setState("offline", t("Geen verbinding. Uw bezoeken staan veilig op deze telefoon en gaan vanzelf mee zodra er weer verbinding is."));
      return null;
    }
    this.setState("sending", t("Bezig met versturen…"));
    const result = await syncOutbox({ url: this.url, cookieName: this.cookieName });
    await this.refresh();
    this.login.hidden = !result.auth;
    if (result.offline) {
      this.setState("offline", t("Geen verbinding. Uw bezoeken staan veilig op deze telefoon en gaan vanzelf mee zodra er weer verbinding is."));
    } else if (result.auth) {
      this.setState("auth", "");
    } else if (result.error) {
      this.setState(
        "error",
        t("Versturen lukte niet (fout %(status)s). Uw bezoeken blijven bewaard; probeer het later opnieuw.", {
          status: result.error,
        }),
      );
    } else if (!this.reportRejected()) {
      const sent = result.accepted + result.duplicate;
      this.setState("done", this.visits.length ? tn("%(n)s bezoek verstuurd.", "%(n)s bezoeken verstuurd.", sent) : t("Alles is verstuurd."));
    }
    this.onSynced(result);
    return result;
  }

  reportRejected() {
    const rejected = this.visits.filter((v) => v.state === "rejected").length;
    if (rejected) {
      this.setState(
        "rejected",
        tn(
          "Pas %(n)s bezoek aan. Daarna kan de app het versturen.",
          "Pas %(n)s bezoeken aan. Daarna kan de app ze versturen.",
          rejected,
        ),
      );
    }
    return rejected > 0;
  }
}
