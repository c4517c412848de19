# Pages et mails des répondants, en français.

## Dates

deadline-mail = { $weekday } { $day } { $month } { $year } à { $time } { $zone }
deadline-page = { $weekday } { $day } { $month } { $year }, { $time } ({ $zone })
weekday-1 = lundi
weekday-2 = mardi
weekday-3 = mercredi
weekday-4 = jeudi
weekday-5 = vendredi
weekday-6 = samedi
weekday-7 = dimanche
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Le questionnaire

respondent-brand = Tandem · enquête sur le partenariat
form-title = Enquête sur { $partner }
form-title-error = Erreur :
form-heading = Comment se passe le partenariat avec { $partner } ?
form-lead = Vague { $seq } · environ 2 minutes · ouverte jusqu’au { $deadline }. Vous pouvez revenir avec le même lien et modifier vos réponses jusque-là.
form-confidential-label = Confidentiel.
form-confidential = Personne chez { $own } ni chez { $partner } ne voit vos réponses individuelles. Les résultats ne sont montrés que pour des groupes d’au moins { $min } personnes. Choisissez « { $dont_know } » lorsque vous ne pouvez pas juger.
form-problems = Veuillez vérifier { $count } { $count ->
        [one] réponse
       *[other] réponses
    }
form-optional = (facultatif)
form-send = Envoyer mes réponses
form-update = Mettre à jour mes réponses
form-opt-out-question = Vous ne souhaitez plus recevoir ces enquêtes ?
form-opt-out-link = Ne plus recevoir d’invitations

## Réponses refusées

answer-missing = Veuillez choisir une réponse, ou « { $dont_know } ».
answer-unknown-item = « { $id } » n’est pas une question de cette enquête.
answer-unknown-question = « { $id } » n’est pas une question ouverte de cette enquête.
answer-twice = « { $id } » a reçu deux réponses.
answer-nul = Cette réponse contient un caractère NUL, qui ne peut pas être enregistré.
answer-too-long = Veuillez raccourcir cette réponse à { $max } caractères au plus.
answer-off-scale = Veuillez choisir l’une des { $points } réponses, ou « { $dont_know } ».

## Pages autour du questionnaire

thanks-title = Merci — vos réponses sont enregistrées
thanks-change = Vous pouvez les modifier avec le même lien jusqu’au { $deadline }.
thanks-private = Vos réponses individuelles ne sont jamais montrées à personne ; elles ne comptent que dans les résultats de groupes de plusieurs personnes.
thanks-review = Revoir ou modifier mes réponses
opt-out-title = Ne plus recevoir ces enquêtes ?
opt-out-body = Vous ne recevrez plus d’invitations ni de rappels pour les enquêtes de ce partenariat. Les réponses déjà données restent comptées, anonymement, dans les résultats de groupe.
opt-out-button = Oui, arrêter mes invitations
opted-out-title = Vous ne recevrez plus d’invitations
opted-out-body = Votre choix est enregistré. Si vous changez d’avis, demandez à la personne référente de votre partenariat de vous inviter à nouveau.
not-found-title = Ce lien ne mène à aucune enquête
not-found-body = Vérifiez que le lien de votre invitation a été copié en entier. Chaque personne a son propre lien ; s’il ne fonctionne toujours pas, demandez une nouvelle invitation à la personne référente de votre partenariat.
closed-title = Cette enquête est close
closed-body = Cette enquête a été close le { $when }. Les réponses ne peuvent plus être données ni modifiées.
closed-next = Vous recevrez un nouveau lien à l’ouverture de la prochaine enquête.
foreign-title = Ce formulaire a été envoyé depuis un autre site
unreadable-title = Le formulaire n’a pas pu être lu
unreadable-again = Revenez à votre lien d’enquête et envoyez-le à nouveau.

## Mails aux répondants

mail-tagline = Tandem : enquêtes périodiques d’un partenariat client–fournisseur.
mail-hello = Bonjour { $name },
mail-take-survey = Répondre à l’enquête
mail-or-open = Ou ouvrez ce lien :
mail-stop = Ne plus recevoir ces enquêtes
invitation-subject = Votre avis sur le partenariat avec { $partner } ({ $minutes } minutes, confidentiel)
invitation-title = Votre avis sur le partenariat avec { $partner }
invitation-intro = { $own } et { $partner } demandent régulièrement aux personnes des deux entreprises comment se passe leur travail en commun. Le ressenti sur un partenariat change avant les chiffres de livraison, de qualité ou de coût : votre avis aide les deux entreprises à agir tôt.
invitation-duration = L’enquête prend environ { $minutes } minutes.
invitation-duration-link = L’enquête prend environ { $minutes } minutes. Ouvrez-la avec votre lien personnel :
invitation-until = Vous pouvez répondre, et modifier vos réponses, jusqu’au { $deadline }.
invitation-candid-label = Pourquoi vous pouvez parler franchement :
invitation-candid = personne, dans aucune des deux entreprises, ne voit jamais vos réponses individuelles. Les résultats ne sont montrés que sous forme de totaux pour des groupes d’au moins { $min } personnes ; un groupe plus petit n’est jamais montré.
invitation-personal = Ce lien n’appartient qu’à vous : merci de ne pas transférer ce mail.
invitation-footer = Vous recevez ce mail parce que { $own } vous a invité à son enquête de partenariat avec { $partner }.
reminder-subject = Rappel : votre avis sur le partenariat avec { $partner } (jusqu’au { $deadline })
reminder-title = Rappel : votre avis sur le partenariat avec { $partner }
reminder-open = Petit rappel : l’enquête sur le partenariat entre { $own } et { $partner } est ouverte jusqu’au { $deadline }. Elle prend environ { $minutes } minutes.
reminder-open-link = Petit rappel : l’enquête sur le partenariat entre { $own } et { $partner } est ouverte jusqu’au { $deadline }. Elle prend environ { $minutes } minutes :
reminder-private = Personne ne voit vos réponses individuelles ; les résultats ne sont montrés que pour des groupes d’au moins { $min } personnes.
