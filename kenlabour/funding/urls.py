from django.urls import path

from kenlabour.funding.views import claims, money, public

app_name = "funding"
urlpatterns = [
    # Before the envelope pages, whose slug would otherwise take "nouvelle".
    path("enveloppes/nouvelle/", money.envelope_create, name="envelope_create"),
    # --- in the open: transparency, SCDL export, statements (open helper)
    path("", public.envelopes, name="envelopes"),
    path("enveloppes/<slug:slug>/", public.envelope, name="envelope"),
    path("enveloppes/<slug:slug>/subventions.csv", public.scdl_csv, name="scdl_csv"),
    path(
        "enveloppes/<slug:slug>/relais/<slug:relay>.xlsx",
        public.relay_statement,
        name="relay_statement",
    ),
    path("demandes/<int:pk>/releve.pdf", public.claim_statement, name="claim_statement"),
    # --- claims: the claimant's side and the relay's review (claims helper)
    path("demandes/", claims.my_claims, name="my_claims"),
    path("enveloppes/<slug:slug>/demande/", claims.claim_create, name="claim_create"),
    path("demandes/<int:pk>/", claims.claim, name="claim"),
    path("demandes/<int:pk>/depenses/", claims.expense_add, name="expense_add"),
    path("demandes/<int:pk>/depenses/<int:expense>/", claims.receipt, name="receipt"),
    path("demandes/<int:pk>/etat/", claims.claim_action, name="claim_action"),
    path("relais/<slug:relay>/", claims.relay_claims, name="relay_claims"),
    path("demandes/<int:pk>/examen/", claims.review, name="review"),
    # --- money: envelopes, coverage, allocation, payments, ledger (money helper)
    path("enveloppes/<slug:slug>/gestion/", money.envelope_manage, name="envelope_manage"),
    path("enveloppes/<slug:slug>/modifier/", money.envelope_edit, name="envelope_edit"),
    path("enveloppes/<slug:slug>/retirer/", money.envelope_withdraw, name="envelope_withdraw"),
    path("enveloppes/<slug:slug>/repartition/", money.allocate, name="allocate"),
    path("enveloppes/<slug:slug>/virements/", money.transfer_add, name="transfer_add"),
    path("demandes/<int:pk>/paiement/", money.pay, name="pay"),
    path("demandes/<int:pk>/paiement/confirmation/", money.confirm_payout, name="confirm_payout"),
    path("relais-territoires/", money.coverages, name="coverages"),
    path("registre/", money.ledger, name="ledger"),
]
